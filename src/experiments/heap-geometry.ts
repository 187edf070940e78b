import { ProtocolError } from '../errors.ts';
import { parseMemInfo, summarizeHeapMap, type HeapSummary } from '../meminfo/index.ts';

export interface HeapGeometry extends HeapSummary {
  /** Area 0's block string, one character per block. */
  blocks: string;
  /** Area 0's first block's address. */
  poolStart: number;
  longestFreeRun: NonNullable<HeapSummary['longestFreeRun']>;
}

/**
 * The first heap area of a `mem_info(1)` dump: the Pico has one area, and on the virtual Pico the
 * areas its heap grows by are not a Pico's, so experiments size what they allocate from area 0.
 */
export function heapGeometry(memInfoText: string): HeapGeometry {
  const info = parseMemInfo(memInfoText);
  const area = info.map?.areas[0];
  if (!area) throw new ProtocolError('mem_info(1) printed no heap map');
  const summary = summarizeHeapMap([area.blocks]);
  if (!summary.longestFreeRun) throw new ProtocolError('the heap has no free block left');
  return {
    ...summary,
    blocks: area.blocks,
    poolStart: area.poolStart,
    longestFreeRun: summary.longestFreeRun,
  };
}

/** The length of every run of free blocks in area 0, lowest first. */
export function freeRunLengths(geometry: Pick<HeapGeometry, 'blocks'>): number[] {
  return (geometry.blocks.match(/\.+/g) ?? []).map((run) => run.length);
}
