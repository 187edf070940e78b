import { z } from 'zod';
import { DeviceException, InputError, ProtocolError } from '../errors.ts';
import { DeviceDataError, parseOneRecord } from '../device/data-lines.ts';
import type { ExecOptions, ExecResult } from '../repl/raw-repl.ts';
import { BOOTROM_SIZE, verifyBootrom, type BootromFacts } from '../firmware/bootrom.ts';

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
  '    body = \'{"kind": "rom", "addr": %d, "len": %d, "adler32": %d, "hex": "%s"}\' % (addr, n, s2 * 65536 + s1, binascii.hexlify(b).decode())',
  '    _picogc_put(body)',
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
