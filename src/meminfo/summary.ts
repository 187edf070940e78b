import { FREE_CHAR, HEAD_LETTERS, MARK_CHAR, TAIL_CHAR, type HeadLetter, type MemInfo } from './types.ts';

/** The figures `gc_info` (py/gc.c) computes, in the units `gc_dump_info` prints them. */
export interface GcInfo {
  /** Bytes. */
  total: number;
  /** Bytes in head and tail blocks; marked heads count in neither used nor free, as in gc.c. */
  used: number;
  /** Bytes. */
  free: number;
  oneBlock: number;
  twoBlock: number;
  /** Blocks. */
  maxBlockSize: number;
  /** Blocks: the longest free run within one area. */
  maxFreeSize: number;
}

export interface HeapSummary {
  totalBlocks: number;
  freeBlocks: number;
  headBlocks: number;
  tailBlocks: number;
  /** Marked heads (`m`); seen only in a dump taken mid-collection. */
  markBlocks: number;
  /** Every non-free block: heads, tails and marks. */
  usedBlocks: number;
  /** Heads by type letter (`m` for marked heads). */
  headCounts: Record<HeadLetter | 'm', number>;
  /** The first longest run of free blocks; null when no block is free. */
  longestFreeRun: { area: number; start: number; length: number } | null;
  /** The highest non-free block of the last area that has one; null for an empty heap. */
  highestUsedBlock: { area: number; block: number } | null;
  gcInfo: GcInfo;
}

type Kind = 'free' | 'head' | 'tail' | 'mark';

function kindOf(char: string | undefined): Kind {
  if (char === FREE_CHAR) return 'free';
  if (char === TAIL_CHAR) return 'tail';
  if (char === MARK_CHAR) return 'mark';
  return 'head';
}

/**
 * `gc_info` over block strings, step for step (including its handling of a marked head, which
 * gc.c says should not happen), so its figures can be compared with the printed header lines.
 */
export function gcInfoOf(areas: readonly string[], bytesPerBlock = 16): GcInfo {
  const info: GcInfo = {
    total: 0,
    used: 0,
    free: 0,
    oneBlock: 0,
    twoBlock: 0,
    maxBlockSize: 0,
    maxFreeSize: 0,
  };
  for (const blocks of areas) {
    info.total += blocks.length * bytesPerBlock;
    let len = 0;
    let lenFree = 0;
    for (let block = 0; block < blocks.length;) {
      const kind = kindOf(blocks[block]);
      if (kind === 'free') {
        info.free += 1;
        lenFree += 1;
        len = 0;
      } else if (kind === 'head') {
        info.used += 1;
        len = 1;
      } else if (kind === 'tail') {
        info.used += 1;
        len += 1;
      }
      block += 1;
      const finish = block === blocks.length;
      const next = finish ? 'free' : kindOf(blocks[block]);
      if (finish || next === 'free' || next === 'head') {
        if (len === 1) info.oneBlock += 1;
        else if (len === 2) info.twoBlock += 1;
        if (len > info.maxBlockSize) info.maxBlockSize = len;
        if (finish || next === 'head') {
          if (lenFree > info.maxFreeSize) info.maxFreeSize = lenFree;
          lenFree = 0;
        }
      }
    }
  }
  info.used *= bytesPerBlock;
  info.free *= bytesPerBlock;
  return info;
}

export function summarizeHeapMap(areas: readonly string[], bytesPerBlock = 16): HeapSummary {
  const headCounts = Object.fromEntries(
    [...HEAD_LETTERS, MARK_CHAR].map((c) => [c, 0]),
  ) as HeapSummary['headCounts'];
  const summary: HeapSummary = {
    totalBlocks: 0,
    freeBlocks: 0,
    headBlocks: 0,
    tailBlocks: 0,
    markBlocks: 0,
    usedBlocks: 0,
    headCounts,
    longestFreeRun: null,
    highestUsedBlock: null,
    gcInfo: gcInfoOf(areas, bytesPerBlock),
  };
  areas.forEach((blocks, area) => {
    summary.totalBlocks += blocks.length;
    let runStart = -1;
    for (let block = 0; block <= blocks.length; block++) {
      const char = blocks[block];
      if (char === FREE_CHAR) {
        summary.freeBlocks += 1;
        if (runStart < 0) runStart = block;
        continue;
      }
      if (runStart >= 0) {
        const length = block - runStart;
        if (summary.longestFreeRun === null || length > summary.longestFreeRun.length) {
          summary.longestFreeRun = { area, start: runStart, length };
        }
        runStart = -1;
      }
      if (char === undefined) break;
      summary.highestUsedBlock = { area, block };
      if (char === TAIL_CHAR) summary.tailBlocks += 1;
      else {
        summary.headCounts[char as HeadLetter | 'm'] += 1;
        if (char === MARK_CHAR) summary.markBlocks += 1;
        else summary.headBlocks += 1;
      }
    }
  });
  summary.usedBlocks = summary.headBlocks + summary.tailBlocks + summary.markBlocks;
  return summary;
}

/**
 * Where the printed header lines disagree with the map printed under them. Both come from the
 * same heap state (nothing allocates between `gc_info` and the dump), so any entry here means a
 * corrupted capture or a port that prints differently. Empty when the dump is consistent.
 */
export function memInfoDiscrepancies(info: MemInfo, bytesPerBlock = 16): string[] {
  if (info.map === null) return [];
  const fromMap = gcInfoOf(
    info.map.areas.map((a) => a.blocks),
    bytesPerBlock,
  );
  const pairs: [string, number, number][] = [
    ['GC total (bytes)', info.gc.total, fromMap.total],
    ['GC used (bytes)', info.gc.used, fromMap.used],
    ['GC free (bytes)', info.gc.free, fromMap.free],
    ['No. of 1-blocks', info.allocations.oneBlock, fromMap.oneBlock],
    ['2-blocks', info.allocations.twoBlock, fromMap.twoBlock],
    ['max blk sz (blocks)', info.allocations.maxBlockSize, fromMap.maxBlockSize],
    ['max free sz (blocks)', info.allocations.maxFreeSize, fromMap.maxFreeSize],
  ];
  return pairs
    .filter(([, printed, mapped]) => printed !== mapped)
    .map(([name, printed, mapped]) => `${name}: header says ${printed}, map gives ${mapped}`);
}
