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
 * The work counters a measured pause is fitted on. The model builds the same live set (a list of
 * `live` objects) and collects it: that gives the words its mark scans, overflow rescans
 * included, which a heap map cannot show. The rest comes from the device's heap map: the blocks
 * beyond the model's live set (the interpreter's own objects) are scanned once, and once more per
 * rescan; the sweep walks up to the highest used block (or the whole heap before v1.21); a rescan
 * walks every block of the device's heap.
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
  const liveSet = liveSetWork(config, live.n, live.object);
  const wordsPerBlock = config.bytesPerBlock / config.wordBytes;
  const otherBlocks = Math.max(0, all.usedBlocks - liveSet.usedBlocks);
  return {
    usedBlocks: all.usedBlocks,
    sweptUpTo,
    totalBlocks: all.totalBlocks,
    rescans: liveSet.rescans,
    wordsScanned: liveSet.wordsScanned + otherBlocks * wordsPerBlock * (1 + liveSet.rescans),
    blocksSwept: config.sweepMode === 'whole-heap' ? all.totalBlocks : sweptUpTo,
    blocksRescanned: liveSet.rescans * all.totalBlocks,
  };
}

interface LiveSetWork {
  rescans: number;
  wordsScanned: number;
  /** Blocks the live set (and the model's one globals table) hold after the collection. */
  usedBlocks: number;
}

const liveSetCache = new Map<string, LiveSetWork>();

function liveSetWork(config: PortConfig, n: number, object: string): LiveSetWork {
  const key = `${config.name}@${JSON.stringify(config.firmware)}/${n}/${object}`;
  let cached = liveSetCache.get(key);
  if (!cached) {
    const { heap } = buildLiveSet({ config, live: n, object: parseObjectSpec(object), shape: 'list' });
    const { work } = heap.collectNow('explicit');
    cached = {
      rescans: work.rescans,
      wordsScanned: work.wordsScanned,
      usedBlocks: heap.memAlloc() / config.bytesPerBlock,
    };
    liveSetCache.set(key, cached);
  }
  return cached;
}
