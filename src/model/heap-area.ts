import type { HeadLetter } from '../meminfo/types.ts';
import { AllocTable, AT_FREE, AT_MARK, AT_TAIL, BitTable } from './atb.ts';
import type { AreaLayout } from './layout.ts';

/**
 * One object on the model heap: a head block and its tails, plus what a conservative scan of
 * its words would find — the objects it points to, in memory order. `area` is null once freed.
 */
export class ModelObject {
  area: HeapArea | null;
  head: number;
  /** The heap-map letter of its head: what its first word (the type) makes gc_dump_alloc_table print. */
  letter: HeadLetter;
  /** Heads its words point to, in address order; pointers outside the heap are not listed. */
  refs: ModelObject[];

  constructor(
    readonly id: number,
    area: HeapArea,
    head: number,
    letter: HeadLetter,
  ) {
    this.area = area;
    this.head = head;
    this.letter = letter;
    this.refs = [];
  }

  get alive(): boolean {
    return this.area !== null;
  }

  /** Blocks in its chain, read from the ATB as gc.c does. */
  get blocks(): number {
    return this.area === null ? 0 : this.area.atb.chainLength(this.head);
  }
}

/** mp_state_mem_area_t: an area's tables, its hint and its highest used block. */
export class HeapArea {
  readonly atb: AllocTable;
  /** The finaliser table; the WTB is only counted in the layout (weakrefs are not modelled). */
  readonly ftb: BitTable | null;
  /** The object whose head is at each block (gc.c finds it from the pointer; the model keeps a table). */
  readonly objectAt: (ModelObject | null)[];
  /** gc_last_free_atb_index: an ATB byte index with no free block before it. */
  lastFreeAtbIndex = 0;
  /** gc_last_used_block. */
  lastUsedBlock = 0;

  constructor(readonly layout: AreaLayout) {
    this.atb = new AllocTable(layout.atbBytes);
    this.ftb = layout.ftbBytes > 0 ? new BitTable(layout.ftbBytes) : null;
    this.objectAt = new Array<ModelObject | null>(layout.blocks).fill(null);
  }

  get blocks(): number {
    return this.layout.blocks;
  }

  /** The area as heap-map characters, one per block. */
  blockChars(): string {
    const chars = new Array<string>(this.blocks);
    for (let b = 0; b < this.blocks; b++) {
      const kind = this.atb.kind(b);
      if (kind === AT_FREE) chars[b] = '.';
      else if (kind === AT_TAIL) chars[b] = '=';
      else if (kind === AT_MARK) chars[b] = 'm';
      else chars[b] = this.objectAt[b]?.letter ?? 'h';
    }
    return chars.join('');
  }
}
