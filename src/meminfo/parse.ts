import { MemInfoParseError } from './errors.ts';
import { FREE_CHAR, type HeapAreaDump, type LineEnding, type MemInfo } from './types.ts';

/**
 * Parser for `micropython.mem_info()` / `mem_info(1)` text, line for line after py/modmicropython.c
 * and py/gc.c `gc_dump_info` + `gc_dump_alloc_table`. It rejects anything the firmware would not
 * print; it never guesses. The heap map's extent is known from `GC: total`, so the map's end is
 * found exactly and text after it is either rejected or returned as `trailing`.
 */

export interface ParseMemInfoOptions {
  /** Accept text after the dump (e.g. what the script printed next) and return it as `trailing`. */
  allowTrailing?: boolean;
  /** MICROPY_BYTES_PER_GC_BLOCK: 16 on 32-bit ports (rp2, wasm), 32 on 64-bit unix. */
  bytesPerBlock?: number;
}

export interface ParsedMemInfo extends MemInfo {
  /** Whatever followed the dump; empty unless `allowTrailing`. */
  trailing: string;
}

const NUM = '(0|[1-9][0-9]*)';
const MEM_STATS = new RegExp(`^mem: total=${NUM}, current=${NUM}, peak=${NUM}$`);
const STACK = new RegExp(`^stack: ${NUM}(?: out of ${NUM})?$`);
const GC_TOTALS = new RegExp(`^GC: total: ${NUM}, used: ${NUM}, free: ${NUM}(?:, max new split: ${NUM})?$`);
const ALLOCATIONS = new RegExp(
  `^ No\\. of 1-blocks: ${NUM}, 2-blocks: ${NUM}, max blk sz: ${NUM}, max free sz: ${NUM}$`,
);
const AREA_HEADER = /^GC memory layout; from (0|[1-9a-f][0-9a-f]*):$/;
const MAP_LINE = /^([0-9a-f]{8,}): ([.=mTLDSAFBMh]{1,64})$/;
const FREE_LINES = new RegExp(`^       \\(${NUM} lines all free\\)$`);

/** Blocks per printed map line (`DUMP_BYTES_PER_LINE` in gc.c). */
export const BLOCKS_PER_LINE = 64;
/**
 * The map becomes one character per block, so a forged total could ask for gigabytes; 2^26
 * blocks (1 GiB of 16-byte blocks) is far above any 32-bit MicroPython heap seen in practice.
 */
export const MAX_BLOCKS = 2 ** 26;

interface PrintedLine {
  block: number;
  line: number;
  text: string;
}

interface Line {
  number: number;
  text: string;
}

/** Complete lines of the input, checked against the line ending the dump started with. */
class LineReader {
  private pos = 0;
  private lineNumber = 0;
  ending: LineEnding | null = null;

  constructor(private readonly input: string) {}

  get consumed(): number {
    return this.pos;
  }

  get nextLineNumber(): number {
    return this.lineNumber + 1;
  }

  /** The next complete line without its ending, or null at the end of the input or of complete lines. */
  peek(): Line | null {
    const nl = this.input.indexOf('\n', this.pos);
    if (nl < 0) return null;
    const raw = this.input.slice(this.pos, nl);
    const crlf = raw.endsWith('\r');
    const number = this.lineNumber + 1;
    if (this.ending === null) this.ending = crlf ? '\r\n' : '\n';
    const text = crlf && this.ending === '\r\n' ? raw.slice(0, -1) : raw;
    return { number, text };
  }

  /** Consumes the next line, which must end like the first one did. */
  take(what: string): Line {
    const line = this.peek();
    if (line === null) {
      const rest = this.input.slice(this.pos);
      throw new MemInfoParseError(
        this.nextLineNumber,
        rest === '' ? what : `${what} ending with a newline`,
        rest,
      );
    }
    const nl = this.input.indexOf('\n', this.pos);
    const crlf = this.input[nl - 1] === '\r';
    if ((this.ending === '\r\n') !== crlf) {
      const ending = this.ending === '\r\n' ? 'CRLF' : 'LF';
      throw new MemInfoParseError(line.number, `a ${ending} line ending like line 1`, line.text);
    }
    this.pos = nl + 1;
    this.lineNumber = line.number;
    return line;
  }

  rest(): string {
    return this.input.slice(this.pos);
  }
}

export function parseMemInfo(text: string, options: ParseMemInfoOptions = {}): ParsedMemInfo {
  const bytesPerBlock = options.bytesPerBlock ?? 16;
  const lines = new LineReader(text);

  let line = lines.take('"stack: …" or "mem: …"');
  let memStats: MemInfo['memStats'] = null;
  const stats = MEM_STATS.exec(line.text);
  if (stats) {
    memStats = { total: toInt(stats[1], line), current: toInt(stats[2], line), peak: toInt(stats[3], line) };
    line = lines.take('"stack: <used> out of <limit>"');
  }
  const stack = STACK.exec(line.text);
  if (!stack) throw new MemInfoParseError(line.number, '"stack: <used> out of <limit>"', line.text);

  line = lines.take('"GC: total: …, used: …, free: …"');
  const totals = GC_TOTALS.exec(line.text);
  if (!totals) throw new MemInfoParseError(line.number, '"GC: total: <n>, used: <n>, free: <n>"', line.text);
  const gc: MemInfo['gc'] = {
    total: toInt(totals[1], line),
    used: toInt(totals[2], line),
    free: toInt(totals[3], line),
    maxNewSplit: totals[4] === undefined ? null : toInt(totals[4], line),
  };
  if (gc.total % bytesPerBlock !== 0) {
    throw new MemInfoParseError(line.number, `a GC total that is a multiple of ${bytesPerBlock}`, line.text);
  }
  if (gc.total / bytesPerBlock > MAX_BLOCKS) {
    throw new MemInfoParseError(line.number, `a GC total of at most ${MAX_BLOCKS} blocks`, line.text);
  }
  const totalsLine = line;

  line = lines.take('" No. of 1-blocks: …"');
  const counts = ALLOCATIONS.exec(line.text);
  if (!counts) {
    throw new MemInfoParseError(
      line.number,
      '" No. of 1-blocks: <n>, 2-blocks: <n>, max blk sz: <n>, max free sz: <n>"',
      line.text,
    );
  }

  const info: ParsedMemInfo = {
    lineEnding: lines.ending ?? '\n',
    memStats,
    stack: { used: toInt(stack[1], line), limit: stack[2] === undefined ? null : toInt(stack[2], line) },
    gc,
    allocations: {
      oneBlock: toInt(counts[1], line),
      twoBlock: toInt(counts[2], line),
      maxBlockSize: toInt(counts[3], line),
      maxFreeSize: toInt(counts[4], line),
    },
    map: null,
    trailing: '',
  };

  const next = lines.peek();
  if (next !== null && next.text.startsWith('GC memory layout')) {
    info.map = { areas: parseMap(lines, gc.total / bytesPerBlock, bytesPerBlock, totalsLine) };
  }

  const rest = lines.rest();
  if (rest !== '') {
    if (!options.allowTrailing) {
      throw new MemInfoParseError(lines.nextLineNumber, 'the end of the mem_info output', firstLine(rest));
    }
    info.trailing = rest;
  }
  return info;
}

function parseMap(
  lines: LineReader,
  totalBlocks: number,
  bytesPerBlock: number,
  totalsLine: Line,
): HeapAreaDump[] {
  const areas: HeapAreaDump[] = [];
  let covered = 0;
  while (covered < totalBlocks) {
    const header = lines.take('"GC memory layout; from <address>:"');
    const match = AREA_HEADER.exec(header.text);
    if (!match) {
      throw new MemInfoParseError(
        header.number,
        `"GC memory layout; from <address>:" (the map so far covers ${covered} of the ${totalBlocks} blocks of "${totalsLine.text}")`,
        header.text,
      );
    }
    const poolStart = Number.parseInt(match[1] ?? '', 16);
    if (!Number.isSafeInteger(poolStart)) {
      throw new MemInfoParseError(header.number, 'an address below 2^53', header.text);
    }
    const blocks = parseArea(lines, totalBlocks - covered, bytesPerBlock);
    covered += blocks.length;
    areas.push({ poolStart, blocks });
  }
  return areas;
}

/** One area's lines, up to its last block; `room` is how many blocks the GC total leaves for it. */
function parseArea(lines: LineReader, room: number, bytesPerBlock: number): string {
  const parts: string[] = [];
  const printedLineStarts: PrintedLine[] = [];
  let block = 0;
  let afterFreeRun = false;
  for (;;) {
    if (block === room) break;
    const peeked = lines.peek();
    if (block > 0 && block % BLOCKS_PER_LINE === 0 && peeked?.text.startsWith('GC memory layout')) break;
    const line = lines.take(`a heap map line for block ${block} (the GC total leaves ${room - block} more)`);
    const free = FREE_LINES.exec(line.text);
    if (free) {
      const count = toInt(free[1], line);
      if (afterFreeRun)
        throw new MemInfoParseError(line.number, 'a map line after a free-lines marker', line.text);
      if (count < 2)
        throw new MemInfoParseError(line.number, 'at least 2 lines in a free-lines marker', line.text);
      if (block + count * BLOCKS_PER_LINE > room) {
        throw new MemInfoParseError(
          line.number,
          `at most ${room - block} free blocks (the GC total)`,
          line.text,
        );
      }
      parts.push(FREE_CHAR.repeat(count * BLOCKS_PER_LINE));
      block += count * BLOCKS_PER_LINE;
      afterFreeRun = true;
      continue;
    }
    const mapLine = MAP_LINE.exec(line.text);
    const offsetText = (block * bytesPerBlock).toString(16).padStart(8, '0');
    if (!mapLine)
      throw new MemInfoParseError(line.number, `"${offsetText}: " and up to 64 block characters`, line.text);
    if (mapLine[1] !== offsetText)
      throw new MemInfoParseError(line.number, `offset ${offsetText}`, line.text);
    const chars = mapLine[2] ?? '';
    if (chars.length > room - block) {
      throw new MemInfoParseError(line.number, `at most ${room - block} blocks (the GC total)`, line.text);
    }
    const short = chars.length < BLOCKS_PER_LINE;
    if (afterFreeRun && !short && !/[^.]/.test(chars)) {
      throw new MemInfoParseError(
        line.number,
        'a used block on the line after a free-lines marker',
        line.text,
      );
    }
    if (block === 0 && chars[0] === '=') {
      throw new MemInfoParseError(line.number, 'a head or free block first (a tail needs a head)', line.text);
    }
    printedLineStarts.push({ block, line: line.number, text: line.text });
    parts.push(chars);
    block += chars.length;
    afterFreeRun = false;
    if (short) break;
  }
  const blocks = parts.join('');
  checkTailsFollowHeads(blocks, printedLineStarts);
  checkAbbreviations(blocks, printedLineStarts);
  return blocks;
}

/** A tail always continues a head or another tail; a free block before `=` means a corrupted map. */
function checkTailsFollowHeads(blocks: string, starts: PrintedLine[]): void {
  for (let i = blocks.indexOf('=', 1); i > 0; i = blocks.indexOf('=', i + 1)) {
    if (blocks[i - 1] === FREE_CHAR) {
      const at = printedLineOf(i, starts);
      throw new MemInfoParseError(at.line, `a head or tail before the tail at block ${i}`, at.text);
    }
  }
}

/** gc_dump_alloc_table abbreviates every run of ≥ 2 free lines that starts at a line start. */
function checkAbbreviations(blocks: string, starts: PrintedLine[]): void {
  for (const { block, line, text } of starts) {
    if (block % BLOCKS_PER_LINE !== 0) continue;
    let end = block;
    while (end < blocks.length && blocks[end] === FREE_CHAR) end++;
    if (end - block >= 2 * BLOCKS_PER_LINE) {
      const count = Math.floor((end - block) / BLOCKS_PER_LINE);
      throw new MemInfoParseError(line, `"       (${count} lines all free)" for the free run here`, text);
    }
  }
}

function printedLineOf(block: number, starts: PrintedLine[]): PrintedLine {
  let found: PrintedLine = { block: 0, line: 0, text: '' };
  for (const start of starts) if (start.block <= block) found = start;
  return found;
}

function toInt(digits: string | undefined, line: Line): number {
  const value = Number(digits);
  if (digits === undefined || !Number.isSafeInteger(value)) {
    throw new MemInfoParseError(line.number, 'a number below 2^53', line.text);
  }
  return value;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl + 1);
}
