import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { INDEX_FILE, INFO_UF2_FILE } from '../firmware/bootsel-drive.ts';
import { findMicroPythonBuild, type MicroPythonBuildInfo } from '../firmware/micropython-build.ts';
import { Uf2Error } from '../firmware/uf2-error.ts';
import { parseUf2, type Uf2Image } from '../firmware/uf2.ts';
import type { FlashedBuild } from './capabilities.ts';

/**
 * The virtual Pico's BOOTSEL drive: a directory standing in for the RP2040 boot ROM's `RPI-RP2`
 * mass-storage volume, with the two files the ROM serves. A UF2 copied onto it that is valid for
 * the RP2040 is taken (the ROM then reboots into it); anything else is ignored, as the ROM ignores
 * blocks it cannot use.
 */

/** What an RP2040 (B2) ROM's INFO_UF2.TXT says. */
export const VIRTUAL_INFO_UF2 = 'UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n';
const INFO_URL = 'https://raspberrypi.com/device/RP2?version=picogc-virtual-pico';
export const VIRTUAL_INDEX_HTM =
  `<html><head><meta http-equiv="refresh" content="0;URL='${INFO_URL}'"/></head>` +
  `<body>Redirecting to <a href='${INFO_URL}'>raspberrypi.com</a></body></html>`;

export interface TakenImage {
  /** The file on the drive that carried it. */
  readonly file: string;
  readonly image: Uf2Image;
  /** The MicroPython build the image carries, if any. */
  readonly build?: MicroPythonBuildInfo;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** Judged already (ignored with a reason): not looked at again until it changes. */
  judged: boolean;
}

export class VirtualBootselDrive {
  private stopped = false;
  private readonly seen = new Map<string, Seen>();

  private constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
    private readonly pollMs: number,
    private readonly clock: Clock,
  ) {}

  /** Create the drive's directory and files (an existing directory is emptied first). */
  static async present(
    path: string,
    options: { log?: (line: string) => void; pollMs?: number; clock?: Clock } = {},
  ): Promise<VirtualBootselDrive> {
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    await writeFile(join(path, INFO_UF2_FILE), VIRTUAL_INFO_UF2);
    await writeFile(join(path, INDEX_FILE), VIRTUAL_INDEX_HTM);
    return new VirtualBootselDrive(
      path,
      options.log ?? (() => undefined),
      options.pollMs ?? 50,
      options.clock ?? systemClock,
    );
  }

  /**
   * Resolve with the first valid RP2040 image copied onto the drive; undefined if `stop()` came
   * first. A file is judged once its size and mtime held still for one poll (a copy in progress
   * is not mistaken for a truncated image).
   */
  async waitForImage(): Promise<TakenImage | undefined> {
    while (!this.stopped) {
      const taken = await this.look();
      if (taken) return taken;
      await sleep(this.pollMs, this.clock);
    }
    return undefined;
  }

  stop(): void {
    this.stopped = true;
  }

  /** The ROM reboots: the volume goes away. */
  async remove(): Promise<void> {
    this.stop();
    await rm(this.path, { recursive: true, force: true });
  }

  private async look(): Promise<TakenImage | undefined> {
    let names: string[];
    try {
      names = await readdir(this.path);
    } catch {
      return undefined;
    }
    for (const name of names) {
      if (name === INFO_UF2_FILE || name === INDEX_FILE) continue;
      const file = join(this.path, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const before = this.seen.get(name);
      const still = before !== undefined && before.size === info.size && before.mtimeMs === info.mtimeMs;
      if (!still) {
        this.seen.set(name, { size: info.size, mtimeMs: info.mtimeMs, judged: false });
        continue;
      }
      if (before.judged) continue;
      before.judged = true;
      const bytes = await readFile(file).catch(() => undefined);
      if (!bytes) continue;
      try {
        const image = parseUf2(bytes, { family: 'rp2040', flashSize: 2 * 1024 * 1024, source: name });
        const build = findMicroPythonBuild(image.flash.bytes).build;
        this.log(`BOOTSEL drive: took ${name} (${image.familyBlockCount} blocks, sha256 ${image.sha256})`);
        return { file, image, ...(build ? { build } : {}) };
      } catch (error) {
        if (!(error instanceof Uf2Error)) throw error;
        this.log(`BOOTSEL drive: ignored ${name}, as the boot ROM would (${error.message})`);
      }
    }
    return undefined;
  }
}

/** The build the virtual Pico reports after taking `taken`; undefined when the image is not MicroPython. */
export function flashedBuildOf(taken: TakenImage): FlashedBuild | undefined {
  const build = taken.build;
  if (!build) return undefined;
  return {
    unameVersion: build.unameVersion ?? `${build.version} on ${build.buildDate}`,
    sha256: taken.image.sha256,
    version: build.version,
  };
}
