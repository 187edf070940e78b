import type { Uf2Block } from './uf2-blocks.ts';

/** What a boot ROM leaves in flash after writing an image's blocks. */
export interface Uf2FlashImage {
  /** First flash address written. */
  readonly start: number;
  /** One past the last flash address written. */
  readonly end: number;
  /** Flash contents from `start` to `end`; bytes no block writes are 0xff (erased flash). */
  readonly bytes: Uint8Array;
  /** Address ranges inside [start, end) that no block writes, in address order. */
  readonly holes: readonly { start: number; end: number }[];
}

/** Lay checked flash blocks (at least one, none overlapping) out at their addresses. */
export function assembleFlash(blocks: readonly Uf2Block[]): Uf2FlashImage {
  const sorted = [...blocks].sort((a, b) => a.targetAddr - b.targetAddr);
  const start = sorted[0]!.targetAddr;
  const last = sorted[sorted.length - 1]!;
  const end = last.targetAddr + last.payloadSize;
  const bytes = new Uint8Array(end - start).fill(0xff);
  const holes: { start: number; end: number }[] = [];
  let cursor = start;
  for (const block of sorted) {
    if (block.targetAddr > cursor) holes.push({ start: cursor, end: block.targetAddr });
    bytes.set(block.payload, block.targetAddr - start);
    cursor = block.targetAddr + block.payloadSize;
  }
  return { start, end, bytes, holes };
}
