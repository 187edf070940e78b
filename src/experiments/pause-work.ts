import { parseMemInfo, summarizeHeapMap } from '../meminfo/index.ts';
import { buildLiveSet, parseObjectSpec, type PauseWork, type PortConfig } from '../model/index.ts';

export interface HeapPauseWork extends PauseWork {
  /** Non-free blocks in the dump: after a collection, the live blocks every mark scans. */
  usedBlocks: number;
  /** Highest used block + 1 in area 0: where a sweep stops since v1.21. */
  sweptUpTo: number;
  totalBlocks: number;
  /** Overflow rescans the model predicts for the live set's shape. */
  rescans: number;
}

/**
 * The work counters a measured pause is fitted on. What the heap map shows is measured: every used
 * block after a collection is live and scanned word by word, and the sweep walks up to the highest
 * used block (or the whole heap before v1.21). What it cannot show — whether the mark stack
 * overflowed — comes from the model, building the same live set: a list of `live` objects.
 */
export function pauseWorkOf(
  config: PortConfig,
  memInfoText: string,
  live: { n: number; object: string },
): HeapPauseWork {
  const map = parseMemInfo(memInfoText).map;
  if (!map) throw new Error('a pause heap sample has no heap map');
  const all = summarizeHeapMap(map.areas.map((a) => a.blocks));
  const first = summarizeHeapMap([map.areas[0]!.blocks]);
  const sweptUpTo = (first.highestUsedBlock?.block ?? -1) + 1;
  const overflow = overflowOf(config, live.n, live.object);
  const wordsPerBlock = config.bytesPerBlock / config.wordBytes;
  return {
    usedBlocks: all.usedBlocks,
    sweptUpTo,
    totalBlocks: all.totalBlocks,
    rescans: overflow.rescans,
    wordsScanned: all.usedBlocks * wordsPerBlock + overflow.wordsRescanned,
    blocksSwept: config.sweepMode === 'whole-heap' ? all.totalBlocks : sweptUpTo,
    blocksRescanned: overflow.rescans * all.totalBlocks,
  };
}

const overflowCache = new Map<string, { rescans: number; wordsRescanned: number }>();

function overflowOf(config: PortConfig, n: number, object: string) {
  const key = `${config.name}@${JSON.stringify(config.firmware)}/${n}/${object}`;
  let cached = overflowCache.get(key);
  if (!cached) {
    const set = buildLiveSet({ config, live: n, object: parseObjectSpec(object), shape: 'list' });
    const { work } = set.heap.collectNow('explicit');
    cached = { rescans: work.rescans, wordsRescanned: work.wordsRescanned };
    overflowCache.set(key, cached);
  }
  return cached;
}
