import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DeviceException, InputError, ProtocolError, escapeBytes } from '../errors.ts';
import { DeviceDataError, parseOneRecord } from '../device/data-lines.ts';
import type { ExecOptions, ExecResult } from '../repl/raw-repl.ts';

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

/** Anything that runs code on a board and returns its output (a ReplDevice, a RawRepl). */
export interface CodeRunner {
  exec(code: string, options?: ExecOptions): Promise<ExecResult>;
}

/**
 * Defined once on the board: reads `n` bytes from `addr` with `machine.mem32` (word reads; the ROM
 * answers nothing else), and prints one data line with the bytes in hex and their Adler-32, computed
 * on the board, so a byte changed on the way is caught on the host.
 */
export const ROM_READER_SOURCE = [
  'import machine, binascii',
  '_picogc_mem32 = machine.mem32  # fails here, once, on a board without it',
  'def _picogc_rom(addr, n):',
  '    b = bytearray(n)',
  '    for i in range(0, n, 4):',
  '        w = _picogc_mem32[addr + i]',
  '        b[i] = w & 255',
  '        b[i + 1] = (w >> 8) & 255',
  '        b[i + 2] = (w >> 16) & 255',
  '        b[i + 3] = (w >> 24) & 255',
  '    s1 = 1',
  '    s2 = 0',
  '    for x in b:',
  '        s1 = (s1 + x) % 65521',
  '        s2 = (s2 + s1) % 65521',
  '    print(\'@picogc {"kind": "rom", "addr": %d, "len": %d, "adler32": %d, "hex": "%s"}\' % (addr, n, s2 * 65536 + s1, binascii.hexlify(b).decode()))',
  '',
].join('\n');

const romRecordSchema = z.object({
  kind: z.literal('rom'),
  addr: z.number().int().nonnegative(),
  len: z.number().int().positive(),
  adler32: z.number().int().nonnegative(),
  hex: z.string(),
});

export function adler32(bytes: Uint8Array): number {
  let s1 = 1;
  let s2 = 0;
  for (const byte of bytes) {
    s1 = (s1 + byte) % 65521;
    s2 = (s2 + s1) % 65521;
  }
  return s2 * 65536 + s1;
}

export interface ReadBootromOptions {
  /** Bytes per exec; a multiple of 4 dividing 16 KiB. Default 1024 (2 KiB of hex on the line). */
  chunkBytes?: number;
  /** Extra reads of a chunk that arrived damaged, before giving up. Default 3. */
  retries?: number;
  /** Deadline of one chunk's exec. Default 20 s (a Pico needs well under 1 s). */
  chunkTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ReadBootromResult {
  readonly rom: Uint8Array;
  readonly facts: BootromFacts;
  /** Chunks read again because the first copy was damaged, with why. */
  readonly rereads: readonly { addr: number; reason: string }[];
}

/**
 * Read the boot ROM in chunks through the raw REPL, check each chunk (address, length, hex,
 * Adler-32) and re-read a damaged one, then verify the whole image. A board without
 * `machine.mem32` is not a Pico (exit 3); a chunk still damaged after the retries is a
 * `ProtocolError` naming it; a ROM that fails the checks is a `ProtocolError` (exit 3) too, since
 * it came from the board.
 */
export async function readBootrom(
  board: CodeRunner,
  options: ReadBootromOptions = {},
): Promise<ReadBootromResult> {
  const chunkBytes = options.chunkBytes ?? 1024;
  if (chunkBytes <= 0 || chunkBytes % 4 !== 0 || BOOTROM_SIZE % chunkBytes !== 0) {
    throw new InputError(`chunk size ${chunkBytes} must be a multiple of 4 that divides ${BOOTROM_SIZE}`);
  }
  const retries = options.retries ?? 3;
  const timeoutMs = options.chunkTimeoutMs ?? 20_000;
  try {
    await board.exec(ROM_READER_SOURCE, { timeoutMs });
  } catch (error) {
    if (error instanceof DeviceException) {
      throw new ProtocolError(
        `the board cannot read its boot ROM (${error.message}): is it a Pico running MicroPython?`,
      );
    }
    throw error;
  }
  const rom = new Uint8Array(BOOTROM_SIZE);
  const rereads: { addr: number; reason: string }[] = [];
  for (let addr = 0; addr < BOOTROM_SIZE; addr += chunkBytes) {
    for (let attempt = 0; ; attempt++) {
      const problem = await readChunk(board, addr, chunkBytes, timeoutMs, rom);
      if (problem === undefined) break;
      if (attempt >= retries) {
        throw new ProtocolError(
          `boot ROM chunk 0x${addr.toString(16).padStart(4, '0')}..0x${(addr + chunkBytes).toString(16)} ` +
            `arrived damaged ${attempt + 1} times (last: ${problem})`,
        );
      }
      rereads.push({ addr, reason: problem });
      options.log?.(`chunk 0x${addr.toString(16)}: ${problem}; reading it again`);
    }
  }
  let facts: BootromFacts;
  try {
    facts = verifyBootrom(rom, 'the ROM read from the board');
  } catch (error) {
    throw new ProtocolError(error instanceof Error ? error.message : String(error));
  }
  return { rom, facts, rereads };
}

/** One chunk into `rom`; undefined when it arrived whole, else what was wrong with it. */
async function readChunk(
  board: CodeRunner,
  addr: number,
  length: number,
  timeoutMs: number,
  rom: Uint8Array,
): Promise<string | undefined> {
  let stdout: string;
  try {
    stdout = (await board.exec(`_picogc_rom(${addr}, ${length})`, { timeoutMs })).stdout;
  } catch (error) {
    if (error instanceof DeviceException) {
      throw new ProtocolError(`reading the boot ROM at 0x${addr.toString(16)} raised ${error.message}`);
    }
    throw error;
  }
  let record: z.infer<typeof romRecordSchema>;
  try {
    record = parseOneRecord(stdout, 'rom', romRecordSchema);
  } catch (error) {
    if (error instanceof DeviceDataError) return `unreadable data line (${error.message})`;
    throw error;
  }
  if (record.addr !== addr || record.len !== length) {
    return `the board answered for 0x${record.addr.toString(16)} + ${record.len}`;
  }
  if (record.hex.length !== 2 * length) return `short read: ${record.hex.length / 2} of ${length} bytes`;
  if (!/^[0-9a-f]*$/.test(record.hex)) return 'the hex holds other characters';
  const bytes = Buffer.from(record.hex, 'hex');
  const sum = adler32(bytes);
  if (sum !== record.adler32) return `Adler-32 ${sum} on the host, ${record.adler32} on the board`;
  rom.set(bytes, addr);
  return undefined;
}
