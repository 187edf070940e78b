import type { PortConfig } from './port-config.ts';

/** 4 blocks per ATB byte (2 bits each); 8 blocks per FTB/WTB byte. */
export const BLOCKS_PER_ATB = 4;
export const BLOCKS_PER_FTB = 8;
/** The zero byte after the ATB, so a tail walk never runs into the FTB. */
export const ALLOC_TABLE_GAP_BYTE = 1;

/** One heap area as `gc_setup_area` lays it out: tables at the bottom, the pool at the top. */
export interface AreaLayout {
  /** First byte of the tables (the ATB). */
  start: number;
  /** End of the pool (exclusive), already rounded down to a block. */
  end: number;
  atbBytes: number;
  ftbBytes: number;
  wtbBytes: number;
  blocks: number;
  poolStart: number;
  /** "GC total" for this area: the pool only, not the tables. */
  totalBytes: number;
  /** Unused bytes between the last table and the pool. */
  slackBytes: number;
}

/** gc_setup_area: `end` must already be block-aligned (gc_init and gc_add do that). */
export function setupArea(config: PortConfig, start: number, end: number): AreaLayout {
  const total = end - start;
  const bitsPerByte = 8;
  const perAtbByte =
    bitsPerByte +
    (config.finaliserTable ? (bitsPerByte * BLOCKS_PER_ATB) / BLOCKS_PER_FTB : 0) +
    (config.weakrefTable ? (bitsPerByte * BLOCKS_PER_ATB) / BLOCKS_PER_FTB : 0) +
    bitsPerByte * BLOCKS_PER_ATB * config.bytesPerBlock;
  const atbBytes = Math.max(0, Math.floor(((total - ALLOC_TABLE_GAP_BYTE) * bitsPerByte) / perAtbByte));
  const blocks = atbBytes * BLOCKS_PER_ATB;
  return areaLayout(config, blocks, end - blocks * config.bytesPerBlock, start);
}

/**
 * An area of `blocks` blocks (a multiple of 4) whose pool starts at `poolStart`, its tables from
 * `start` up; without `start`, right below the pool, no slack (as a heap map shows an area).
 */
export function areaLayout(
  config: PortConfig,
  blocks: number,
  poolStart: number,
  start?: number,
): AreaLayout {
  const atbBytes = blocks / BLOCKS_PER_ATB;
  const tableBytes = (n: boolean): number => (n ? Math.ceil(blocks / BLOCKS_PER_FTB) : 0);
  const ftbBytes = tableBytes(config.finaliserTable);
  const wtbBytes = tableBytes(config.weakrefTable);
  const tables = atbBytes + ALLOC_TABLE_GAP_BYTE + ftbBytes + wtbBytes;
  const tablesStart = start ?? poolStart - tables;
  return {
    start: tablesStart,
    end: poolStart + blocks * config.bytesPerBlock,
    atbBytes,
    ftbBytes,
    wtbBytes,
    blocks,
    poolStart,
    totalBytes: blocks * config.bytesPerBlock,
    slackBytes: poolStart - (tablesStart + tables),
  };
}

/** gc_init: the end of the region is rounded down to a block boundary, the start is kept. */
export function initialAreaLayout(config: PortConfig, region: { start: number; end: number }): AreaLayout {
  return setupArea(config, region.start, alignDown(region.end, config.bytesPerBlock));
}

/** gc_add: the area's own struct sits at the start of the memory it was given. */
export function addedAreaLayout(config: PortConfig, address: number, bytes: number): AreaLayout {
  const structBytes = config.splitHeapAuto?.areaStructBytes ?? 0;
  return setupArea(config, address + structBytes, alignDown(address + bytes, config.bytesPerBlock));
}

/**
 * gc_try_add_heap: how many bytes a new area gets after an allocation of `failedBytes` failed,
 * or null when even the largest possible area could not hold it. The aim is to double the heap,
 * or to fit the failed allocation with the tables' overhead (approximated by 13/512 in gc.c).
 */
export function newAreaBytes(config: PortConfig, totalBlocks: number, failedBytes: number): number | null {
  const split = config.splitHeapAuto;
  if (split === null) return null;
  const needed = failedBytes + Math.max(2048, Math.floor((failedBytes * 13) / 512));
  if (split.maxNewSplit < needed) return null;
  let totalHeap =
    Math.floor(totalBlocks / BLOCKS_PER_ATB) +
    (config.finaliserTable ? Math.floor(totalBlocks / BLOCKS_PER_FTB) : 0) +
    (config.weakrefTable ? Math.floor(totalBlocks / BLOCKS_PER_FTB) : 0) +
    totalBlocks * config.bytesPerBlock +
    ALLOC_TABLE_GAP_BYTE +
    split.areaStructBytes;
  totalHeap = alignUp(totalHeap, config.bytesPerBlock);
  return Math.min(split.maxNewSplit, Math.max(totalHeap, needed));
}

export function alignDown(value: number, to: number): number {
  return value - (value % to);
}

export function alignUp(value: number, to: number): number {
  return alignDown(value + to - 1, to);
}
