import { createHash } from 'node:crypto';

import { InputError, escapeBytes } from '../errors.ts';

/**
 * The RP2040 boot ROM: 16 KiB mask ROM at address 0 (RP2040 datasheet §2.8). picogc never ships
 * or downloads it: `picogc bootrom` reads it from the user's own Pico through the raw REPL, and the
 * emulated RP2040 needs it to boot. Layout facts used to check it (datasheet §2.8.2 and §2.8.3):
 * word 0 the initial stack pointer, word 1 the reset vector; at 0x10 the magic `M` `u` 0x01 and a
 * version byte (1 = B0, 2 = B1, 3 = B2); at 0x14 a 16-bit pointer to the public function table,
 * at 0x16 one to the public data table, at 0x18 one to `rom_table_lookup`. The function table is
 * pairs of a 16-bit two-letter code and a 16-bit (Thumb, so odd) function address, ended by code 0.
 */

export const BOOTROM_SIZE = 16 * 1024;
const MAGIC_OFFSET = 0x10;
const VERSION_OFFSET = 0x13;
const FUNC_TABLE_POINTER = 0x14;
const DATA_TABLE_POINTER = 0x16;
const TABLE_LOOKUP_POINTER = 0x18;
const SRAM_START = 0x2000_0000;
const SRAM_END = 0x2004_2000;

/** The flash routines picogc's emulator relies on, by their ROM codes (datasheet §2.8.3.1.3). */
export const FLASH_FUNCTION_CODES = ['IF', 'EX', 'RE', 'RP', 'FC', 'CX'] as const;

export interface BootromFacts {
  readonly sha256: string;
  /** `B0`, `B1`, `B2`. */
  readonly version: string;
  readonly initialStackPointer: number;
  readonly resetVector: number;
  /** Public functions by two-letter code, with their (Thumb) addresses. */
  readonly functions: Readonly<Record<string, number>>;
}

/** A boot ROM file that is not an RP2040 boot ROM (wrong size, no magic, broken tables). Exit 2. */
export class BootromError extends InputError {}

/** The two-letter code of a table entry as a 16-bit value: first letter in the low byte. */
export function romCode(code: string): number {
  return code.charCodeAt(0) | (code.charCodeAt(1) << 8);
}

/** Check the image is an RP2040 boot ROM and read its identifying facts; throws `BootromError`. */
export function verifyBootrom(rom: Uint8Array, source = 'boot ROM'): BootromFacts {
  const fail = (detail: string): never => {
    throw new BootromError(`${source}: ${detail}`);
  };
  if (rom.length !== BOOTROM_SIZE) fail(`${rom.length} bytes; an RP2040 boot ROM is ${BOOTROM_SIZE}`);
  const view = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
  if (rom[MAGIC_OFFSET] !== 0x4d || rom[MAGIC_OFFSET + 1] !== 0x75 || rom[MAGIC_OFFSET + 2] !== 0x01) {
    fail(
      `no boot ROM magic "Mu\\x01" at 0x10 (found ${escapeBytes(rom.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 3))})`,
    );
  }
  const versionByte = rom[VERSION_OFFSET]!;
  if (versionByte < 1 || versionByte > 3) fail(`version byte ${versionByte} at 0x13 is not 1..3 (B0..B2)`);
  const initialStackPointer = view.getUint32(0, true);
  if (initialStackPointer < SRAM_START || initialStackPointer > SRAM_END) {
    fail(`initial stack pointer 0x${initialStackPointer.toString(16)} is not in SRAM`);
  }
  const resetVector = view.getUint32(4, true);
  if ((resetVector & 1) === 0 || resetVector >= BOOTROM_SIZE) {
    fail(`reset vector 0x${resetVector.toString(16)} is not a Thumb address inside the ROM`);
  }
  const funcTable = view.getUint16(FUNC_TABLE_POINTER, true);
  const dataTable = view.getUint16(DATA_TABLE_POINTER, true);
  const lookup = view.getUint16(TABLE_LOOKUP_POINTER, true);
  if (funcTable >= BOOTROM_SIZE || dataTable >= BOOTROM_SIZE)
    fail('a lookup table pointer points outside the ROM');
  if ((lookup & 1) === 0 || lookup >= BOOTROM_SIZE)
    fail(`rom_table_lookup 0x${lookup.toString(16)} is not a Thumb address in the ROM`);
  const functions: Record<string, number> = {};
  for (let at = funcTable; ; at += 4) {
    if (at + 4 > BOOTROM_SIZE) fail('the function table runs off the end of the ROM');
    const code = view.getUint16(at, true);
    if (code === 0) break;
    const address = view.getUint16(at + 2, true);
    const name = String.fromCharCode(code & 0xff, code >> 8);
    if (!/^[A-Za-z0-9]{2}$/.test(name))
      fail(`function table entry at 0x${at.toString(16)} has code 0x${code.toString(16)}`);
    functions[name] = address;
    if (Object.keys(functions).length > 64) fail('the function table does not end');
  }
  for (const code of FLASH_FUNCTION_CODES) {
    const address = functions[code];
    if (address === undefined) fail(`the function table has no "${code}" (a flash routine)`);
    if ((address! & 1) === 0 || address! >= BOOTROM_SIZE)
      fail(`"${code}" at 0x${address!.toString(16)} is not a Thumb address in the ROM`);
  }
  return {
    sha256: createHash('sha256').update(rom).digest('hex'),
    version: `B${versionByte - 1}`,
    initialStackPointer,
    resetVector,
    functions,
  };
}
