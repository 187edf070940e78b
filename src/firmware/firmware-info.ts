import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import {
  findMicroPythonBuild,
  type MicroPythonBuildInfo,
  type MicroPythonScan,
} from './micropython-build.ts';
import { hex32 } from './uf2-families.ts';
import { Uf2Error } from './uf2-error.ts';
import { UF2_MAX_FILE_SIZE } from './uf2-format.ts';
import { parseUf2, type ParseUf2Options, type Uf2Image } from './uf2.ts';

/** Read and verify a UF2 file. A file that cannot be read is an `InputError`; a bad image a `Uf2Error`. */
export async function readUf2File(
  path: string,
  options: Omit<ParseUf2Options, 'source'> = {},
): Promise<Uf2Image> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${path} is a directory, not a UF2 file`);
    if (info.size > UF2_MAX_FILE_SIZE) {
      throw new Uf2Error('too-large', `${info.size} bytes is more than any RP2 image`, undefined, path);
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`cannot read ${path}: ${code}`, { cause: error });
  }
  return parseUf2(bytes, { ...options, source: path });
}

/** What `picogc firmware info --json` prints, and what reports record about an image. */
export interface FirmwareInfo {
  readonly schema: 'picogc.firmware/1';
  readonly file?: string;
  readonly fileSize: number;
  readonly sha256: string;
  readonly family: { readonly name: string; readonly id: string; readonly description: string };
  readonly blocks: {
    readonly total: number;
    readonly family: number;
    readonly skipped: readonly {
      readonly index: number;
      readonly reason: string;
      readonly familyId?: string;
    }[];
  };
  readonly otherFamilies: readonly string[];
  readonly flash: {
    readonly start: string;
    readonly end: string;
    readonly size: number;
    readonly holes: number;
  };
  readonly micropython: MicroPythonBuildInfo | null;
  readonly conflicts: readonly string[];
}

export function firmwareInfo(
  image: Uf2Image,
  scan: MicroPythonScan = findMicroPythonBuild(image.flash.bytes),
): FirmwareInfo {
  return {
    schema: 'picogc.firmware/1',
    ...(image.source === undefined ? {} : { file: image.source }),
    fileSize: image.fileSize,
    sha256: image.sha256,
    family: { name: image.family.name, id: hex32(image.family.id), description: image.family.description },
    blocks: {
      total: image.blockCount,
      family: image.familyBlockCount,
      skipped: image.skipped.map((block) => ({
        index: block.index,
        reason: block.reason,
        ...(block.familyId === undefined ? {} : { familyId: hex32(block.familyId) }),
      })),
    },
    otherFamilies: image.otherFamilies.map(hex32),
    flash: {
      start: hex32(image.flash.start),
      end: hex32(image.flash.end),
      size: image.flash.end - image.flash.start,
      holes: image.flash.holes.length,
    },
    micropython: scan.build ?? null,
    conflicts: scan.conflicts,
  };
}

export async function inspectFirmware(
  path: string,
  options: Omit<ParseUf2Options, 'source'> = {},
): Promise<{ image: Uf2Image; scan: MicroPythonScan; info: FirmwareInfo }> {
  const image = await readUf2File(path, options);
  const scan = findMicroPythonBuild(image.flash.bytes);
  return { image, scan, info: firmwareInfo(image, scan) };
}

/** A few aligned `label  value` lines for a terminal. */
export function formatFirmwareInfo(info: FirmwareInfo): string {
  const skipped = new Map<string, number>();
  for (const block of info.blocks.skipped) skipped.set(block.reason, (skipped.get(block.reason) ?? 0) + 1);
  const mp = info.micropython;
  const rows: [string, string][] = [
    ['file', `${info.file ?? '(bytes)'} (${info.fileSize} bytes, ${info.blocks.total} blocks)`],
    ['sha256', info.sha256],
    [
      'family',
      `${info.family.name} (${info.family.id}, ${info.family.description}), ${info.blocks.family} blocks`,
    ],
    [
      'flash',
      `${info.flash.start}..${info.flash.end} (${info.flash.size} bytes, ` +
        `${info.flash.holes === 0 ? 'contiguous' : `${info.flash.holes} holes left erased`})`,
    ],
    [
      'micropython',
      mp ? (mp.unameVersion ?? `${mp.version} on ${mp.buildDate}`) : 'no MicroPython version string found',
    ],
  ];
  if (mp?.machine) rows.push(['board', mp.machine]);
  if (skipped.size > 0)
    rows.push(['skipped', [...skipped].map(([reason, n]) => `${n} ${reason}`).join(', ')]);
  if (info.otherFamilies.length > 0) rows.push(['also for', info.otherFamilies.join(', ')]);
  for (const conflict of info.conflicts) rows.push(['warning', conflict]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}
