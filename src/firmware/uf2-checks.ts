import type { Uf2Block } from './uf2-blocks.ts';
import type { Fail } from './uf2-error.ts';
import { hex32 } from './uf2-families.ts';
import { RP2_FLASH_BASE, RP2_PAGE_SIZE } from './uf2-format.ts';

/**
 * What an RP2 boot ROM demands of the blocks of the family it takes: one numbered sequence, whole
 * and in order, of 256-byte pages each written once inside flash. Each check calls `fail` with the
 * first problem.
 */

/** blockNo must run 0..numBlocks-1 in file order, with one numBlocks for the whole family. */
export function checkSequence(group: readonly Uf2Block[], fail: Fail): void {
  const first = group[0]!;
  const numBlocks = first.numBlocks;
  for (const block of group) {
    if (block.numBlocks !== numBlocks) {
      fail(
        'block-count-mismatch',
        `block ${block.index} says the image has ${block.numBlocks} blocks; block ${first.index} says ${numBlocks}`,
        block.index,
      );
    }
    if (block.blockNo >= numBlocks) {
      fail(
        'block-count-mismatch',
        `block ${block.index} is numbered ${block.blockNo} of ${numBlocks}`,
        block.index,
      );
    }
  }
  const seen = new Set<number>();
  for (let i = 0; i < group.length; i++) {
    const block = group[i]!;
    if (seen.has(block.blockNo)) {
      fail(
        'out-of-order',
        `block number ${block.blockNo} appears twice (again at block ${block.index})`,
        block.index,
      );
    }
    seen.add(block.blockNo);
    const previous = group[i - 1];
    if (previous && block.blockNo < previous.blockNo) {
      fail(
        'out-of-order',
        `block ${block.index} is number ${block.blockNo} but follows number ${previous.blockNo}`,
        block.index,
      );
    }
  }
  // In order and unique: any number below the highest one seen that is absent is a hole in the middle.
  for (let i = 0; i < group.length; i++) {
    const block = group[i]!;
    if (block.blockNo !== i) {
      fail(
        'missing-block',
        `block number ${i} of ${numBlocks} is missing (block ${block.index} is number ${block.blockNo})`,
        block.index,
      );
    }
  }
  if (group.length < numBlocks) {
    fail(
      'truncated',
      `the image has ${numBlocks} blocks but the file ends after number ${group.length - 1}`,
      group[group.length - 1]!.index,
    );
  }
}

/** Every block a 256-byte page at a page boundary inside `flashSize` bytes of flash, none written twice. */
export function checkFlashTargets(blocks: readonly Uf2Block[], flashSize: number, fail: Fail): void {
  const flashEnd = RP2_FLASH_BASE + flashSize;
  const written = new Map<number, number>();
  for (const block of blocks) {
    if (block.payloadSize !== RP2_PAGE_SIZE) {
      fail(
        'bad-payload-size',
        `block ${block.index} carries ${block.payloadSize} bytes; RP2 boot ROMs take only 256-byte payloads`,
        block.index,
      );
    }
    const start = block.targetAddr;
    const end = start + block.payloadSize;
    if (start < RP2_FLASH_BASE || end > flashEnd) {
      const ram =
        start >= 0x2000_0000 && start < 0x3000_0000
          ? ' (that is SRAM: a no-flash image cannot be flashed)'
          : '';
      fail(
        'address-outside-flash',
        `block ${block.index} writes ${hex32(start)}..${hex32(end)}, outside flash ` +
          `${hex32(RP2_FLASH_BASE)}..${hex32(flashEnd)}${ram}`,
        block.index,
      );
    }
    if (start % RP2_PAGE_SIZE !== 0) {
      fail(
        'misaligned-address',
        `block ${block.index} targets ${hex32(start)}, not a 256-byte page boundary`,
        block.index,
      );
    }
    const other = written.get(start);
    if (other !== undefined) {
      fail(
        'overlapping-blocks',
        `blocks ${other} and ${block.index} both write ${hex32(start)}`,
        block.index,
      );
    }
    written.set(start, block.index);
  }
}
