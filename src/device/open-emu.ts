import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.ts';
import { ReplDevice } from './repl-device.ts';
import { verifyBootrom } from '../firmware/bootrom.ts';
import type { FlashedImage } from '../firmware/flash-result.ts';
import { verifyImage } from '../firmware/verify-image.ts';
import { boardRunsBuild } from '../firmware/micropython-build.ts';
import { readUf2File } from '../firmware/firmware-info.ts';
import { resolveFirmware } from '../firmware/resolve-firmware.ts';
import type { Link } from '../link/link.ts';
import { relayOnPseudoTerminal, type PtyBackend, type PtyRelay } from '../link/pseudo-terminal.ts';
import { RP2040JS_PACKAGE, RP2040JS_VERSION, emuCapabilities } from './emu-capabilities.ts';
import { EmulatedRp2040, romName, type EmulatorOptions, type EmulatorRom } from '../emu/rp2040-emu.ts';

export interface EmuSpec {
  /** The user's MicroPython UF2 for the RP2040. */
  firmware: string;
  /** The 16 KiB boot ROM read from the user's Pico (`picogc bootrom`); none: picogc's written ROM. */
  bootrom?: string;
  label?: string;
  bootTimeoutMs?: number;
  log?: (line: string) => void;
  /** Wraps the chip's serial link before the REPL client gets it (`--record`). */
  wrapLink?: (link: Link) => Link;
}

export interface EmuSession {
  device: ReplDevice;
  image: FlashedImage;
  /** The ROM the chip ran: a real one (its facts) or picogc's written one. */
  rom: EmulatorRom;
  loadedAt: string;
}

/**
 * The user's firmware on an emulated RP2040 behind the same Device API as a board: the image and
 * the ROM are verified (bad input: exit 2), the chip boots, and the raw REPL is entered over its
 * USB CDC. Its info() declares the emulator's capabilities and differences.
 */
export async function openEmuDevice(spec: EmuSpec): Promise<EmuSession> {
  const { image, emulatorOptions } = await loadEmuInputs(spec);
  const { rom } = emulatorOptions;
  const loadedAt = new Date().toISOString();
  const emulator = await EmulatedRp2040.start(emulatorOptions);
  const link: Link = {
    stream: emulator.link,
    description: emulatorDescription(image, rom),
    close: () => emulator.close(),
  };
  const wrapped = spec.wrapLink ? spec.wrapLink(link) : link;
  let device: ReplDevice;
  try {
    device = await ReplDevice.connect(wrapped, 'emu', {
      declare: (reported) => emuCapabilities(reported.floatBits, romName(rom)),
    });
  } catch (error) {
    await wrapped.close();
    throw error;
  }
  return { device, image, rom, loadedAt };
}

function emulatorDescription(image: FlashedImage, rom: EmulatorRom): string {
  return `emulated RP2040 (${RP2040JS_PACKAGE} ${RP2040JS_VERSION}, boot ROM ${romName(rom)}) running ${image.label}`;
}

export interface EmuPtyServer {
  /** Where a serial tool opens the emulated chip's USB serial port (`--port PATH`). */
  path: string;
  backend: PtyBackend;
  description: string;
  close(): Promise<void>;
}

/**
 * The emulated RP2040 on a pseudo-terminal (`picogc emu --pty`): its USB serial port where any serial
 * tool, picogc's `--port` among them, opens it as it would a Pico's. The REPL client is the host's.
 */
export async function serveEmuOnPty(spec: EmuSpec & { path?: string }): Promise<EmuPtyServer> {
  const { image, emulatorOptions } = await loadEmuInputs(spec);
  const ownDir = spec.path === undefined ? await mkdtemp(join(tmpdir(), 'picogc-emu-')) : undefined;
  const path = spec.path ?? join(ownDir!, 'pico');
  const emulator = await EmulatedRp2040.start(emulatorOptions);
  let relay: PtyRelay;
  try {
    relay = await relayOnPseudoTerminal(emulator.link, path, spec.log ? { log: spec.log } : {});
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    path,
    backend: relay.pty.backend,
    description: emulatorDescription(image, emulatorOptions.rom),
    async close() {
      await relay.stop();
      await emulator.close();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * The inputs of an emulated RP2040, verified (bad input: exit 2): the image picogc can name, the
 * boot ROM it recognises (or picogc's written one, without `bootrom`), and what the emulator starts
 * from.
 */
export async function loadEmuInputs(
  spec: Pick<EmuSpec, 'firmware' | 'bootrom' | 'label' | 'bootTimeoutMs' | 'log'>,
): Promise<{ image: FlashedImage; emulatorOptions: EmulatorOptions }> {
  if (!spec.firmware) throw new UsageError('--device emu needs --firmware FILE.uf2');
  // A release tag (v1.28.0) is its cached file; the CLI has resolved it already, a program may not have.
  const firmware = await resolveFirmware(spec.firmware, spec.log ? { log: spec.log } : {});
  const image = await verifyImage(firmware, spec.label);
  const uf2 = await readUf2File(firmware, { family: 'rp2040' });
  const rom: EmulatorRom = spec.bootrom ? await readRomFile(spec.bootrom) : { kind: 'hle' };
  return {
    image,
    emulatorOptions: {
      image: uf2,
      rom,
      ...(spec.bootTimeoutMs !== undefined ? { bootTimeoutMs: spec.bootTimeoutMs } : {}),
      ...(spec.log ? { log: spec.log } : {}),
    },
  };
}

/** A boot ROM file read from a Pico, verified (exit 2 if it is not one). */
async function readRomFile(file: string): Promise<EmulatorRom> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { kind: 'file', bytes, facts: verifyBootrom(bytes, file) };
}

/** How reports name the boot ROM an emulated chip runs: picogc's written one without a file. */
export async function emuRomName(bootrom: string | undefined): Promise<string> {
  return romName(bootrom ? await readRomFile(bootrom) : { kind: 'hle' });
}

/** Does the emulated chip report the image's build (it should: it runs exactly that image)? */
export async function emuRunsImage(
  session: EmuSession,
): Promise<{ deviceBuild?: string; confirmed: boolean }> {
  const build = (await session.device.info()).firmware.buildString;
  return {
    ...(build ? { deviceBuild: build } : {}),
    confirmed: build !== undefined && boardRunsBuild(session.image.build, build),
  };
}
