import { ALLOC_TABLE_GAP_BYTE, BLOCKS_PER_ATB } from './layout.ts';

/** Block kinds of the allocation table, as in py/gc.c. */
export const AT_FREE = 0;
export const AT_HEAD = 1;
export const AT_TAIL = 2;
/** A head marked live during a collection. */
export const AT_MARK = 3;
export type BlockKind = typeof AT_FREE | typeof AT_HEAD | typeof AT_TAIL | typeof AT_MARK;

/**
 * The ATB: 2 bits a block, 4 blocks a byte, block b at bits 2·(b%4) of byte b/4, followed by the
 * always-zero gap byte. The transitions are the bit operations of gc.c's ATB_* macros, so a
 * misuse (e.g. FREE_TO_HEAD on a tail) corrupts the table exactly as it would on a device.
 */
export class AllocTable {
  readonly bytes: Uint8Array;

  constructor(readonly atbBytes: number) {
    this.bytes = new Uint8Array(atbBytes + ALLOC_TABLE_GAP_BYTE);
  }

  get blocks(): number {
    return this.atbBytes * BLOCKS_PER_ATB;
  }

  kind(block: number): BlockKind {
    return ((this.bytes[block >> 2]! >> ((block & 3) << 1)) & 3) as BlockKind;
  }

  anyToFree(block: number): void {
    this.bytes[block >> 2]! &= ~(AT_MARK << ((block & 3) << 1));
  }

  freeToHead(block: number): void {
    this.bytes[block >> 2]! |= AT_HEAD << ((block & 3) << 1);
  }

  freeToTail(block: number): void {
    this.bytes[block >> 2]! |= AT_TAIL << ((block & 3) << 1);
  }

  headToMark(block: number): void {
    this.bytes[block >> 2]! |= AT_MARK << ((block & 3) << 1);
  }

  markToHead(block: number): void {
    this.bytes[block >> 2]! &= ~(AT_TAIL << ((block & 3) << 1));
  }

  /** Blocks in the chain that starts at `head`: the head and the tails that follow it. */
  chainLength(head: number): number {
    let n = 1;
    while (this.kind(head + n) === AT_TAIL) n++;
    return n;
  }
}

/** The FTB or WTB: 1 bit a block, 8 blocks a byte. */
export class BitTable {
  readonly bytes: Uint8Array;

  constructor(byteLength: number) {
    this.bytes = new Uint8Array(byteLength);
  }

  get(block: number): boolean {
    return ((this.bytes[block >> 3]! >> (block & 7)) & 1) === 1;
  }

  set(block: number): void {
    this.bytes[block >> 3]! |= 1 << (block & 7);
  }

  clear(block: number): void {
    this.bytes[block >> 3]! &= ~(1 << (block & 7));
  }
}
