import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { loadMemInfo, type MemInfoFixture } from '../../test/support/fixtures.ts';
import { MemInfoParseError } from './errors.ts';
import { formatMemInfo } from './format.ts';
import { MAX_BLOCKS, parseMemInfo } from './parse.ts';
import { memInfoDiscrepancies, summarizeHeapMap } from './summary.ts';

const FIXTURES: MemInfoFixture[] = ['mem_info1-boot', 'mem_info1-2000-bytearray48', 'mem_info1-fragmented'];

/** The parse error a text gives, or a failure if it parses. */
function parseError(text: string): MemInfoParseError {
  try {
    parseMemInfo(text);
  } catch (error) {
    if (error instanceof MemInfoParseError) return error;
    throw error;
  }
  throw new Error('expected a MemInfoParseError');
}

describe('parseMemInfo on real v1.28.0 RPI_PICO dumps', () => {
  for (const name of FIXTURES) {
    describe(name, () => {
      const text = loadMemInfo(name);
      const info = parseMemInfo(text, { allowTrailing: true });
      const areas = info.map!.areas.map((a) => a.blocks);
      const summary = summarizeHeapMap(areas);

      it('reads the header lines and one area from the pool start', () => {
        expect(info.lineEnding).toBe('\r\n');
        expect(info.stack.limit).toBe(7936);
        expect(info.gc.total).toBe(245888);
        expect(info.gc.maxNewSplit).toBeNull();
        expect(info.map!.areas).toHaveLength(1);
        expect(info.map!.areas[0]!.poolStart).toBe(0x20003f80);
        expect(areas[0]).toHaveLength(15368);
      });

      it('has map figures equal to the header lines printed above it', () => {
        expect(16 * (summary.headBlocks + summary.tailBlocks)).toBe(info.gc.used);
        expect(16 * summary.freeBlocks).toBe(info.gc.free);
        expect(16 * summary.totalBlocks).toBe(info.gc.total);
        expect(summary.longestFreeRun!.length).toBe(info.allocations.maxFreeSize);
        expect(summary.gcInfo.maxBlockSize).toBe(info.allocations.maxBlockSize);
        expect(summary.gcInfo.oneBlock).toBe(info.allocations.oneBlock);
        expect(summary.gcInfo.twoBlock).toBe(info.allocations.twoBlock);
        expect(summary.usedBlocks).toBe(summary.headBlocks + summary.tailBlocks);
        expect(memInfoDiscrepancies(info)).toEqual([]);
      });

      it('puts the highest used block just below the longest free run (the heap is packed low)', () => {
        expect(summary.highestUsedBlock!.block).toBe(summary.longestFreeRun!.start - 1);
        expect(summary.longestFreeRun!.start + summary.longestFreeRun!.length).toBe(15368);
      });

      it('formats back to the same bytes', () => {
        expect(formatMemInfo(info) + info.trailing).toBe(text);
      });
    });
  }

  it('counts the heads each script made', () => {
    const boot = summarizeHeapMap([parseMemInfo(loadMemInfo('mem_info1-boot')).map!.areas[0]!.blocks]);
    const live = summarizeHeapMap([
      parseMemInfo(loadMemInfo('mem_info1-2000-bytearray48')).map!.areas[0]!.blocks,
    ]);
    const frag = parseMemInfo(loadMemInfo('mem_info1-fragmented'), { allowTrailing: true });
    const fragSummary = summarizeHeapMap([frag.map!.areas[0]!.blocks]);
    // live.py keeps 2000 bytearray(48): 2000 `A` headers (1 block) each with 3 blocks of data.
    expect(live.headCounts.A - boot.headCounts.A).toBe(2000);
    expect(live.usedBlocks - boot.usedBlocks).toBeGreaterThanOrEqual(2000 * 4);
    // frag.py keeps every other one of 400 bytearray(200).
    expect(fragSummary.headCounts.A - boot.headCounts.A).toBe(200);
    expect(boot.headCounts).toMatchObject({ M: 1, L: 1, D: 5, B: 25 });
    expect(frag.trailing).toBe('alloc 60000 ok\r\n');
    // 60000 bytes = 3750 blocks fit in the longest free run, as the device said.
    expect(Math.ceil(60000 / 16)).toBeLessThanOrEqual(frag.allocations.maxFreeSize);
  });
});

describe('parseMemInfo formats', () => {
  it('accepts LF line endings and keeps them', () => {
    const text = loadMemInfo('mem_info1-boot').replaceAll('\r\n', '\n');
    const info = parseMemInfo(text);
    expect(info.lineEnding).toBe('\n');
    expect(formatMemInfo(info)).toBe(text);
  });

  it('reads mem_info() without a map', () => {
    const text =
      'stack: 524 out of 7936\r\nGC: total: 245888, used: 4032, free: 241856\r\n No. of 1-blocks: 32, 2-blocks: 11, max blk sz: 64, max free sz: 15085\r\n';
    const info = parseMemInfo(text);
    expect(info.map).toBeNull();
    expect(info.allocations).toEqual({ oneBlock: 32, twoBlock: 11, maxBlockSize: 64, maxFreeSize: 15085 });
    expect(formatMemInfo(info)).toBe(text);
  });

  it("reads the wasm VM's split-heap line and an area header with a short address", () => {
    const text = [
      'stack: 432 out of 32768',
      'GC: total: 2048, used: 48, free: 2000, max new split: 134217728',
      ' No. of 1-blocks: 1, 2-blocks: 1, max blk sz: 2, max free sz: 125',
      'GC memory layout; from 30bc0:',
      '00000000: h=F.............................................................',
      '00000400: ................................................................',
      '',
    ].join('\r\n');
    const info = parseMemInfo(text);
    expect(info.gc.maxNewSplit).toBe(134217728);
    expect(info.map!.areas[0]).toEqual({ poolStart: 0x30bc0, blocks: `h=F${'.'.repeat(125)}` });
    expect(memInfoDiscrepancies(info)).toEqual([]);
    expect(formatMemInfo(info)).toBe(text);
  });

  it('reads several areas (split heap), each from offset 0, summing to the GC total', () => {
    const text = [
      'stack: 1 out of 32768',
      'GC: total: 4096, used: 32, free: 4064, max new split: 134217728',
      ' No. of 1-blocks: 2, 2-blocks: 0, max blk sz: 1, max free sz: 127',
      'GC memory layout; from 1000:',
      '00000000: h...............................................................',
      '00000400: ................................................................',
      'GC memory layout; from 20000:',
      '00000000: L...............................................................',
      '00000400: ................................................................',
      '',
    ].join('\n');
    const info = parseMemInfo(text);
    expect(info.map!.areas.map((a) => [a.poolStart, a.blocks.length])).toEqual([
      [0x1000, 128],
      [0x20000, 128],
    ]);
    expect(memInfoDiscrepancies(info)).toEqual([]);
    expect(formatMemInfo(info)).toBe(text);
  });

  it('reports where the header lines and the map disagree', () => {
    const text = loadMemInfo('mem_info1-boot').replace(
      'used: 4032, free: 241856',
      'used: 4048, free: 241840',
    );
    expect(memInfoDiscrepancies(parseMemInfo(text))).toEqual([
      'GC used (bytes): header says 4048, map gives 4032',
      'GC free (bytes): header says 241840, map gives 241856',
    ]);
  });
});

describe('parseMemInfo rejects malformed text with the line and what was expected', () => {
  const boot = loadMemInfo('mem_info1-boot');
  const lines = boot.split('\r\n');
  const withLines = (edit: (l: string[]) => void): string => {
    const copy = [...lines];
    edit(copy);
    return copy.join('\r\n');
  };

  it('is an InputError (exit code 2)', () => {
    const error = parseError('');
    expect(error).toBeInstanceOf(InputError);
    expect(error.exitCode).toBe(2);
    expect(error.line).toBe(1);
  });

  it('names a missing GC line', () => {
    const error = parseError('stack: 1 out of 2\r\nhello\r\n');
    expect(error.line).toBe(2);
    expect(error.expected).toContain('GC: total');
    expect(error.found).toBe('hello');
  });

  it('names a truncated map and how much of the heap is missing', () => {
    const error = parseError(`${lines.slice(0, 9).join('\r\n')}\r\n`);
    expect(error.line).toBe(10);
    expect(error.expected).toBe('a heap map line for block 320 (the GC total leaves 15048 more)');
  });

  it('names a wrong offset', () => {
    const error = parseError(withLines((l) => (l[5] = l[5]!.replace('00000400', '00000800'))));
    expect(error.line).toBe(6);
    expect(error.expected).toBe('offset 00000400');
  });

  it('rejects a block character gc.c never prints', () => {
    const error = parseError(withLines((l) => (l[4] = l[4]!.replace('h=ML', 'h=MX'))));
    expect(error.line).toBe(5);
  });

  it('rejects a tail after a free block', () => {
    const error = parseError(withLines((l) => (l[4] = l[4]!.replace('hh..Dhh', 'hh.=Dhh'))));
    expect(error.line).toBe(5);
    expect(error.expected).toMatch(/head or tail before the tail at block 7/);
  });

  it('rejects a free-lines marker of one line, and a run of free lines printed in full', () => {
    expect(parseError(withLines((l) => (l[9] = '       (1 lines all free)'))).line).toBe(10);
    const free = '.'.repeat(64);
    const offset = (line: number): string => (line * 0x400).toString(16).padStart(8, '0');
    const unabbreviated = withLines((l) =>
      l.splice(9, 1, ...Array.from({ length: 235 }, (_, i) => `${offset(5 + i)}: ${free}`)),
    );
    // Line 10 (offset 0x1400) starts a run of 235 free lines that gc.c abbreviates.
    const error = parseError(unabbreviated);
    expect(error.line).toBe(10);
    expect(error.expected).toBe('"       (235 lines all free)" for the free run here');
  });

  it('rejects mixed line endings and text after the dump unless asked to keep it', () => {
    expect(
      parseError(
        boot.replace(
          'GC: total: 245888, used: 4032, free: 241856\r\n',
          'GC: total: 245888, used: 4032, free: 241856\n',
        ),
      ).expected,
    ).toMatch(/CRLF/);
    const error = parseError(`${boot}>>> `);
    expect(error.expected).toBe('the end of the mem_info output');
    expect(parseMemInfo(`${boot}>>> `, { allowTrailing: true }).trailing).toBe('>>> ');
  });

  it('rejects a GC total that is not whole blocks, or too big to hold as one character a block', () => {
    expect(parseError(boot.replace('total: 245888', 'total: 245889')).line).toBe(2);
    const huge = parseError(boot.replace('total: 245888', `total: ${16 * (MAX_BLOCKS + 4)}`));
    expect(huge.line).toBe(2);
    expect(huge.expected).toBe(`a GC total of at most ${MAX_BLOCKS} blocks`);
  });
});
