import { InputError } from '../errors.ts';
import { formatMemInfo } from '../meminfo/format.ts';
import { gcInfoOf } from '../meminfo/summary.ts';
import {
  FREE_CHAR,
  MARK_CHAR,
  TAIL_CHAR,
  type HeadLetter,
  type LineEnding,
  type MemInfo,
} from '../meminfo/types.ts';
import { GcHeap } from './heap.ts';
import { HeapArea, type ModelObject } from './heap-area.ts';
import { BLOCKS_PER_ATB, areaLayout } from './layout.ts';
import type { PortConfig } from './port-config.ts';

export interface SeedOptions {
  /**
   * A map does not say which objects are reachable. By default every seeded object becomes a
   * root, which is right for a map taken just after gc.collect(); with false they have no
   * referrer and the model's next collection frees them.
   */
  seededObjectsAreRoots?: boolean;
}

/**
 * A model heap holding exactly the blocks of a device's `mem_info(1)` map: same areas, pool
 * addresses, heads, tails and type letters. What a map cannot show is set to the value that
 * gives the same future placements: each area's hint points at the ATB byte of its first free
 * block (gc.c keeps no free block below the hint, so first fit finds the same run), and
 * gc_last_used_block is the highest used block (gc.c's may be higher until the next collection,
 * which only lengthens a sweep). The threshold counter starts at 0.
 */
export function heapFromMemInfo(config: PortConfig, info: MemInfo, options: SeedOptions = {}): GcHeap {
  if (info.map === null)
    throw new InputError('mem_info output has no heap map: call micropython.mem_info(1)');
  const layouts = info.map.areas.map((area, index) => {
    if (area.blocks.length % BLOCKS_PER_ATB !== 0) {
      throw new InputError(`heap map area ${index} has ${area.blocks.length} blocks, not a multiple of 4`);
    }
    // The smallest area gc_setup_area would give these blocks with its pool here.
    return areaLayout(config, area.blocks.length, area.poolStart);
  });
  const [first, ...more] = layouts;
  const heap = new GcHeap(config, first);
  for (const layout of more) heap.areas.push(new HeapArea(layout));
  const roots: ModelObject[] = [];
  info.map.areas.forEach((dump, index) => {
    const area = heap.areas[index]!;
    const { blocks } = dump;
    let firstFree = -1;
    for (let head = 0; head < blocks.length;) {
      const char = blocks[head]!;
      if (char === FREE_CHAR) {
        if (firstFree < 0) firstFree = head;
        head += 1;
        continue;
      }
      if (char === TAIL_CHAR)
        throw new InputError(`heap map area ${index}: tail at block ${head} has no head`);
      let length = 1;
      while (blocks[head + length] === TAIL_CHAR) length++;
      const letter: HeadLetter = char === MARK_CHAR ? 'h' : (char as HeadLetter);
      const object = heap.placeExisting(area, head, length, letter);
      if (char === MARK_CHAR) area.atb.headToMark(head);
      roots.push(object);
      head += length;
    }
    area.lastFreeAtbIndex = firstFree < 0 ? area.layout.atbBytes : Math.floor(firstFree / BLOCKS_PER_ATB);
  });
  if (options.seededObjectsAreRoots ?? true) heap.roots.push(...roots);
  heap.thresholdBlocks = config.thresholdDefaultBlocks;
  return heap;
}

export interface RenderOptions {
  /** The `stack:` line is not a heap figure; give the device's to diff whole dumps. */
  stack?: { used: number; limit: number | null };
  lineEnding?: LineEnding;
}

/** The MemInfo a device with this heap would print for `micropython.mem_info(1)`. */
export function heapToMemInfo(heap: GcHeap, options: RenderOptions = {}): MemInfo {
  const areas = heap.areas.map((area) => ({ poolStart: area.layout.poolStart, blocks: area.blockChars() }));
  const info = gcInfoOf(
    areas.map((a) => a.blocks),
    heap.config.bytesPerBlock,
  );
  return {
    lineEnding: options.lineEnding ?? '\r\n',
    memStats: null,
    stack: options.stack ?? { used: 0, limit: heap.config.stackLimit },
    gc: {
      total: info.total,
      used: info.used,
      free: info.free,
      maxNewSplit: heap.config.splitHeapAuto?.maxNewSplit ?? null,
    },
    allocations: {
      oneBlock: info.oneBlock,
      twoBlock: info.twoBlock,
      maxBlockSize: info.maxBlockSize,
      maxFreeSize: info.maxFreeSize,
    },
    map: { areas },
  };
}

/** The text of `micropython.mem_info(1)` for this heap, diffable line by line with a device's. */
export function renderMemInfo(heap: GcHeap, options: RenderOptions = {}): string {
  return formatMemInfo(heapToMemInfo(heap, options), heap.config.bytesPerBlock);
}
