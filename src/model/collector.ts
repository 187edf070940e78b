import { AT_HEAD, AT_MARK, AT_TAIL } from './atb.ts';
import type { HeapArea, ModelObject } from './heap-area.ts';
import type { PortConfig } from './port-config.ts';

// vitest's module runner reads imported bindings through getter calls, so the hot loops below use
// local copies (the tests time this model against the VM). Plain ESM (dist/, tsx) needs none.
const HEAD = AT_HEAD;
const TAIL = AT_TAIL;
const MARK = AT_MARK;

/** The work one collection did, counted where gc.c does it; the pause-cost model is fitted on these. */
export interface CollectionWork {
  /** Root pointers examined (gc_collect_root). */
  roots: number;
  /** Heads turned AT_MARK. */
  objectsMarked: number;
  /** Words read by gc_mark_subtree, re-traces of the overflow rescan included. */
  wordsScanned: number;
  /** Passes of the overflow rescan (each walks every block of every area). */
  rescans: number;
  /** ATB entries those passes walked. */
  blocksRescanned: number;
  /** The part of wordsScanned re-traced by those passes. */
  wordsRescanned: number;
  /** Children marked while the mark stack was full: marked, left unscanned, flag set. */
  overflowedPushes: number;
  /** Deepest the mark stack got. */
  maxStackDepth: number;
  /** ATB entries the sweep walked. */
  blocksSwept: number;
  /** Blocks the sweep turned free. */
  blocksFreed: number;
  objectsFreed: number;
  /** Empty areas other than the first, given back (split heap auto). */
  areasFreed: number;
}

export function emptyWork(): CollectionWork {
  return {
    roots: 0,
    objectsMarked: 0,
    wordsScanned: 0,
    rescans: 0,
    blocksRescanned: 0,
    wordsRescanned: 0,
    overflowedPushes: 0,
    maxStackDepth: 0,
    blocksSwept: 0,
    blocksFreed: 0,
    objectsFreed: 0,
    areasFreed: 0,
  };
}

/**
 * One mark-sweep: gc_collect_start's roots (marked one at a time, each traced depth-first at
 * once), gc_collect_end's overflow rescan, then the sweep. The finaliser pass is not modelled:
 * Python `__del__` never runs and the model holds no native objects with finalisers.
 * `areas` is the heap's own list; the split-heap sweep removes empty areas from it.
 */
export function collect(
  config: PortConfig,
  areas: HeapArea[],
  roots: readonly ModelObject[],
): CollectionWork {
  const marker = new Marker(config);
  const work = marker.work;
  for (const root of roots) {
    work.roots += 1;
    const area = root.area;
    if (area === null || area.atb.kind(root.head) !== HEAD) continue;
    area.atb.headToMark(root.head);
    work.objectsMarked += 1;
    marker.markSubtree(root);
  }
  rescanAfterOverflow(marker, areas);
  sweep(config, areas, work);
  for (const area of areas) area.lastFreeAtbIndex = 0;
  return work;
}

class Marker {
  readonly work = emptyWork();
  overflow = false;
  private readonly stack: ModelObject[];
  private readonly stackSize: number;
  private readonly wordsPerBlock: number;

  constructor(config: PortConfig) {
    this.stackSize = config.markStackSize;
    this.stack = new Array<ModelObject>(config.markStackSize);
    this.wordsPerBlock = config.bytesPerBlock / config.wordBytes;
  }

  /**
   * gc_mark_subtree: scan the object's every word; mark each unmarked head found and push it
   * while the stack has room, else set the overflow flag (the child stays marked, unscanned).
   * Then pop and repeat. Children are pushed in address order and popped last-first, so the
   * siblings of the object being scanned wait on the stack: one node with many children (or a
   * chain whose nodes also hold something else) fills it, a bare chain never does.
   */
  markSubtree(start: ModelObject): number {
    const { stack, stackSize, work } = this;
    let words = 0;
    let sp = 0;
    let object = start;
    for (;;) {
      const area = object.area!;
      words += area.atb.chainLength(object.head) * this.wordsPerBlock;
      for (const child of object.refs) {
        const childArea = child.area;
        if (childArea === null || childArea.atb.kind(child.head) !== HEAD) continue;
        childArea.atb.headToMark(child.head);
        work.objectsMarked += 1;
        if (sp < stackSize) {
          stack[sp++] = child;
          if (sp > work.maxStackDepth) work.maxStackDepth = sp;
        } else {
          this.overflow = true;
          work.overflowedPushes += 1;
        }
      }
      if (sp === 0) break;
      object = stack[--sp]!;
    }
    work.wordsScanned += words;
    return words;
  }
}

/** gc_deal_with_stack_overflow: until a pass ends clean, re-trace every marked head of every area. */
function rescanAfterOverflow(marker: Marker, areas: readonly HeapArea[]): void {
  const work = marker.work;
  while (marker.overflow) {
    marker.overflow = false;
    work.rescans += 1;
    for (const area of areas) {
      const { atb, objectAt } = area;
      const blocks = area.blocks;
      work.blocksRescanned += blocks;
      for (let block = 0; block < blocks; block++) {
        // The walk of gc.c, faster: an ATB byte with no AT_MARK entry (no 2-bit 0b11) is passed
        // whole. Each byte is read when the walk reaches it, so marks made earlier in the pass
        // are seen there, as in gc.c.
        if ((block & 3) === 0) {
          const byte = atb.bytes[block >> 2]!;
          if ((byte & (byte >> 1) & 0x55) === 0) {
            block += 3;
            continue;
          }
        }
        if (atb.kind(block) !== MARK) continue;
        const object = objectAt[block];
        if (object) work.wordsRescanned += marker.markSubtree(object);
      }
    }
  }
}

/**
 * gc_sweep_free_blocks: free unmarked heads and their tails, unmark the rest, and remember the
 * last surviving block. Since v1.21 it stops at gc_last_used_block; before, it walked every block.
 */
function sweep(config: PortConfig, areas: HeapArea[], work: CollectionWork): void {
  let freeTail = false;
  const wholeHeap = config.sweepMode === 'whole-heap';
  for (let index = 0; index < areas.length; index++) {
    const area = areas[index]!;
    const { atb, objectAt } = area;
    // The ATB ends with a zero gap byte, so reading one block past the last (which a realloc
    // that grew up to the area's end makes gc_last_used_block point at) sees a free block.
    const end = wholeHeap ? area.blocks - 1 : area.lastUsedBlock;
    let lastUsed = 0;
    for (let block = 0; block <= end; block++) {
      // Free blocks change nothing in the sweep, so an all-free ATB byte is passed whole.
      if ((block & 3) === 0 && atb.bytes[block >> 2] === 0) {
        block += 3;
        continue;
      }
      const kind = atb.kind(block);
      if (kind === HEAD) {
        freeTail = true;
        const object = objectAt[block];
        if (object) {
          object.area = null;
          objectAt[block] = null;
        }
        area.ftb?.clear(block);
        work.objectsFreed += 1;
      }
      if (kind === HEAD || kind === TAIL) {
        if (freeTail) {
          atb.anyToFree(block);
          work.blocksFreed += 1;
        } else {
          lastUsed = block;
        }
      } else if (kind === MARK) {
        atb.markToHead(block);
        freeTail = false;
        lastUsed = block;
      }
    }
    work.blocksSwept += end + 1;
    area.lastUsedBlock = lastUsed;
    // Split heap auto gives back an empty area other than the first; gc.c tests only
    // last_used_block == 0, so an area whose sole survivor sits in block 0 goes too.
    if (config.splitHeapAuto !== null && lastUsed === 0 && index > 0) {
      for (const object of objectAt) if (object) object.area = null;
      areas.splice(index, 1);
      index -= 1;
      work.areasFreed += 1;
    }
  }
}
