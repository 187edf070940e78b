import type { HeadLetter } from '../meminfo/types.ts';
import { gcInfoOf, type GcInfo } from '../meminfo/summary.ts';
import { AT_FREE, AT_TAIL } from './atb.ts';
import { collect, type CollectionWork } from './collector.ts';
import { HeapArea, ModelObject } from './heap-area.ts';
import {
  addedAreaLayout,
  alignUp,
  BLOCKS_PER_ATB,
  initialAreaLayout,
  newAreaBytes,
  type AreaLayout,
} from './layout.ts';
import type { PortConfig } from './port-config.ts';

/** Why a collection ran: gc.collect(), the allocation threshold, or an allocation that did not fit. */
export type CollectionCause = 'explicit' | 'threshold' | 'allocation-failure';

export interface CollectionRecord {
  cause: CollectionCause;
  /** Successful gc_alloc calls before this collection, counted from the heap's creation. */
  afterAllocations: number;
  work: CollectionWork;
}

/**
 * The GC heap of py/gc.c: areas with their ATBs, `gc_alloc` (first fit with the 1-block hint,
 * threshold trigger, collect-and-retry once, area growth with split heap auto), `gc_free`,
 * `gc_realloc`, and `gc_collect` as the port runs it (at once, or deferred to the top level).
 * Roots are the objects the VM holds: `roots` for the mp_state_ctx region (globals, modules),
 * `stack` for what C code or the Python stack holds while an operation runs.
 */
export class GcHeap {
  readonly areas: HeapArea[];
  /** gc_last_free_area (split heap): an index into `areas`; areas before it are full. */
  lastFreeArea = 0;
  /** gc_alloc_threshold in blocks; null is SIZE_MAX (off). */
  thresholdBlocks: number | null;
  /** gc_alloc_amount: blocks handed out by gc_alloc since the last collection. */
  allocAmount = 0;
  /** gc_auto_collect_enabled (gc.enable / gc.disable). */
  autoCollect = true;
  /** The pyscript port's gc_collect_pending. */
  collectPending: CollectionCause | null = null;
  readonly roots: ModelObject[] = [];
  readonly stack: ModelObject[] = [];
  readonly collections: CollectionRecord[] = [];
  allocations = 0;
  private nextId = 0;

  constructor(
    readonly config: PortConfig,
    firstArea: AreaLayout = initialAreaLayout(config, config.heapRegion),
  ) {
    this.areas = [new HeapArea(firstArea)];
    this.thresholdBlocks = config.thresholdDefaultBlocks;
  }

  get totalBlocks(): number {
    return this.areas.reduce((sum, area) => sum + area.blocks, 0);
  }

  /**
   * gc_alloc: a head and tails for `bytes`, or null when the heap cannot hold it (the caller
   * raises MemoryError). Zero bytes also give null, as in gc.c.
   */
  alloc(bytes: number, letter: HeadLetter, hasFinaliser = false): ModelObject | null {
    const found = this.allocBlocks(bytes, hasFinaliser);
    if (found === null) return null;
    const object = new ModelObject(this.nextId++, found.area, found.start, letter);
    found.area.objectAt[found.start] = object;
    return object;
  }

  /** gc_free: the head and its tails become free at once; the hint moves down if needed. */
  free(object: ModelObject): void {
    const area = object.area;
    if (area === null) throw new Error(`model object ${object.id} freed twice`);
    const index = this.areas.indexOf(area);
    area.ftb?.clear(object.head);
    if (this.config.splitHeapAuto !== null && this.lastFreeArea !== index) this.lastFreeArea = 0;
    const atbIndex = Math.floor(object.head / BLOCKS_PER_ATB);
    if (atbIndex < area.lastFreeAtbIndex) area.lastFreeAtbIndex = atbIndex;
    let block = object.head;
    do {
      area.atb.anyToFree(block);
      block += 1;
    } while (area.atb.kind(block) === AT_TAIL);
    area.objectAt[object.head] = null;
    object.area = null;
  }

  /**
   * gc_realloc with allow_move: shrink in place, grow in place when enough free blocks follow
   * (not counted toward the threshold), else allocate, copy and free — the object keeps its
   * identity and moves. False when it could not grow (MemoryError for the caller).
   */
  realloc(object: ModelObject, bytes: number, allowMove = true): boolean {
    const area = object.area;
    if (area === null) throw new Error(`model object ${object.id} reallocated after it was freed`);
    if (bytes === 0) {
      this.free(object);
      return true;
    }
    const { atb } = area;
    const head = object.head;
    const newBlocks = Math.ceil(bytes / this.config.bytesPerBlock);
    let nBlocks = 1;
    let nFree = 0;
    for (let bl = head + 1; bl < area.blocks; bl++) {
      const kind = atb.kind(bl);
      if (kind === AT_TAIL) {
        nBlocks++;
        continue;
      }
      if (kind === AT_FREE) {
        nFree++;
        if (nBlocks + nFree >= newBlocks) break;
        continue;
      }
      break;
    }
    if (newBlocks === nBlocks) return true;
    if (newBlocks < nBlocks) {
      for (let bl = head + newBlocks; bl < head + nBlocks; bl++) atb.anyToFree(bl);
      if (this.config.splitHeapAuto !== null && this.areas[this.lastFreeArea] !== area) this.lastFreeArea = 0;
      const atbIndex = Math.floor((head + newBlocks) / BLOCKS_PER_ATB);
      if (atbIndex < area.lastFreeAtbIndex) area.lastFreeAtbIndex = atbIndex;
      return true;
    }
    if (newBlocks <= nBlocks + nFree) {
      for (let bl = head + nBlocks; bl < head + newBlocks; bl++) atb.freeToTail(bl);
      // gc.c stores the exclusive end here (gc_alloc stores the inclusive one).
      area.lastUsedBlock = Math.max(area.lastUsedBlock, head + newBlocks);
      return true;
    }
    if (!allowMove) return false;
    const hasFinaliser = area.ftb?.get(head) ?? false;
    // The old chain stays reachable from the caller's stack while the new one is allocated.
    this.stack.push(object);
    const found = this.allocBlocks(bytes, hasFinaliser);
    this.stack.pop();
    if (found === null) return false;
    this.free(object);
    object.area = found.area;
    object.head = found.start;
    found.area.objectAt[found.start] = object;
    return true;
  }

  /** The port's gc_collect(): collects now on a board, only flags it on the pyscript VM. */
  gcCollect(cause: CollectionCause = 'explicit'): void {
    if (this.config.collectionTiming === 'immediate') this.collectNow(cause);
    else this.collectPending ??= cause;
  }

  /**
   * The outermost call from JS returns (end of a runPython / REPL execution): the pyscript
   * port runs the flagged collection here. Returns the collection, if one ran.
   */
  endTopLevelCall(): CollectionRecord | null {
    const cause = this.collectPending;
    if (cause === null) return null;
    this.collectPending = null;
    return this.collectNow(cause);
  }

  /** gc_collect_start … gc_collect_end with the current roots and stack. */
  collectNow(cause: CollectionCause): CollectionRecord {
    this.allocAmount = 0;
    const work = collect(this.config, this.areas, [...this.roots, ...this.stack]);
    this.lastFreeArea = 0;
    const record = { cause, afterAllocations: this.allocations, work };
    this.collections.push(record);
    return record;
  }

  /** gc.threshold(n): bytes in, blocks stored; negative turns it off. */
  setThresholdBytes(bytes: number): void {
    this.thresholdBlocks = bytes < 0 ? null : Math.floor(bytes / this.config.bytesPerBlock);
  }

  /** gc.threshold(): -1 when off, else the stored blocks as bytes. */
  thresholdBytes(): number {
    return this.thresholdBlocks === null ? -1 : this.thresholdBlocks * this.config.bytesPerBlock;
  }

  /** gc_info over every area. */
  info(): GcInfo {
    return gcInfoOf(
      this.areas.map((a) => a.blockChars()),
      this.config.bytesPerBlock,
    );
  }

  /** gc.mem_alloc(). */
  memAlloc(): number {
    return this.info().used;
  }

  /** gc.mem_free(): with split heap auto it includes what the heap may still grow by. */
  memFree(): number {
    return this.info().free + (this.config.splitHeapAuto?.maxNewSplit ?? 0);
  }

  /** The search, trigger and growth logic of gc_alloc, without the object bookkeeping. */
  private allocBlocks(bytes: number, hasFinaliser: boolean): { area: HeapArea; start: number } | null {
    const bpb = this.config.bytesPerBlock;
    const nBlocks = Math.ceil(bytes / bpb);
    if (nBlocks === 0) return null;
    let collected = !this.autoCollect;
    let added = false;
    if (!collected && this.thresholdBlocks !== null && this.allocAmount >= this.thresholdBlocks) {
      this.gcCollect('threshold');
      collected = true;
    }
    for (;;) {
      const found = this.findFreeRun(nBlocks);
      if (found !== null) {
        const { area, start } = found;
        const end = start + nBlocks - 1;
        area.lastUsedBlock = Math.max(area.lastUsedBlock, end);
        area.atb.freeToHead(start);
        for (let bl = start + 1; bl <= end; bl++) area.atb.freeToTail(bl);
        this.allocAmount += nBlocks;
        this.allocations += 1;
        if (hasFinaliser) area.ftb?.set(start);
        return found;
      }
      if (collected) {
        if (!added && this.tryAddArea(bytes)) {
          added = true;
          continue;
        }
        return null;
      }
      this.gcCollect('allocation-failure');
      collected = true;
    }
  }

  /** First fit from each area's hint, starting at gc_last_free_area; runs may cross ATB bytes. */
  private findFreeRun(nBlocks: number): { area: HeapArea; start: number } | null {
    const split = this.config.splitHeapAuto !== null;
    for (let index = this.lastFreeArea; index < this.areas.length; index++) {
      const area = this.areas[index]!;
      const { atb } = area;
      let nFree = 0;
      for (let block = area.lastFreeAtbIndex * BLOCKS_PER_ATB; block < area.blocks; block++) {
        if (atb.kind(block) !== AT_FREE) {
          nFree = 0;
          continue;
        }
        if (++nFree < nBlocks) continue;
        if (nFree === 1) {
          this.lastFreeArea = index;
          area.lastFreeAtbIndex = Math.floor((block + 1) / BLOCKS_PER_ATB);
        }
        return { area, start: block - nFree + 1 };
      }
      // gc.c marks a full area for 1-block requests with (ATB length + 1) / 4, mixing an ATB
      // index with a block count; it only matters as "start searching near the end".
      if (split && nBlocks === 1)
        area.lastFreeAtbIndex = Math.floor((area.layout.atbBytes + 1) / BLOCKS_PER_ATB);
    }
    return null;
  }

  /** gc_try_add_heap: a new area big enough to double the heap or to fit the failed request. */
  private tryAddArea(failedBytes: number): boolean {
    const bytes = newAreaBytes(this.config, this.totalBlocks, failedBytes);
    if (bytes === null) return false;
    // The address comes from the port's malloc; the model places the area just above the last one.
    const top = Math.max(...this.areas.map((a) => a.layout.end));
    const layout = addedAreaLayout(this.config, alignUp(top, 16) + 16, bytes);
    this.areas.push(new HeapArea(layout));
    return true;
  }

  /** Marks a chain as allocated without counting it: for seeding a heap from a device's map. */
  placeExisting(area: HeapArea, head: number, blocks: number, letter: HeadLetter): ModelObject {
    area.atb.freeToHead(head);
    for (let bl = head + 1; bl < head + blocks; bl++) area.atb.freeToTail(bl);
    area.lastUsedBlock = Math.max(area.lastUsedBlock, head + blocks - 1);
    const object = new ModelObject(this.nextId++, area, head, letter);
    area.objectAt[head] = object;
    return object;
  }
}
