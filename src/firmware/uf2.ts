import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { readUf2Blocks, type Uf2Block } from './uf2-blocks.ts';
import { checkFlashTargets, checkSequence } from './uf2-checks.ts';
import { failFor } from './uf2-error.ts';
import {
  RP2_FAMILIES,
  describeFamily,
  familyByName,
  type Rp2Family,
  type Rp2FamilyName,
} from './uf2-families.ts';
import { assembleFlash, type Uf2FlashImage } from './uf2-flash-image.ts';
import {
  RP2_MAX_FLASH_SIZE,
  RP2_PAGE_SIZE,
  UF2_FLAG_FILE_CONTAINER,
  UF2_FLAG_NOT_MAIN_FLASH,
  UF2_TAG_RP2_IGNORE_BLOCK,
} from './uf2-format.ts';

/**
 * A UF2 reader that checks a file the way the RP2 boot ROMs will treat it, so a bad build is refused
 * on the host with a reason instead of being half-written to a board that then silently keeps its old
 * firmware. The format and the RP2 rules: uf2-format.ts; the blocks: uf2-blocks.ts; the checks on
 * one family's blocks: uf2-checks.ts.
 */

/** Where picotool aims the E10 workaround block by default (last page of a 16 MiB flash). */
const E10_BLOCK_ADDRESS = 0x10ff_ff00;

export type Uf2SkipReason = 'not-main-flash' | 'rp2350-e10-workaround' | 'other-family';

export interface Uf2SkippedBlock {
  readonly index: number;
  readonly reason: Uf2SkipReason;
  readonly familyId?: number;
}

export interface Uf2Image {
  readonly source?: string;
  readonly fileSize: number;
  /** sha256 of the whole file, lower-case hex: what identifies the build in reports. */
  readonly sha256: string;
  /** 512-byte blocks in the file, of every family. */
  readonly blockCount: number;
  readonly family: Rp2Family;
  /** Blocks carrying `family`'s id (the sequence `blockNo` 0..numBlocks-1 checked). */
  readonly familyBlockCount: number;
  /** Blocks the boot ROM does not write, with why (in file order). */
  readonly skipped: readonly Uf2SkippedBlock[];
  /** Ids of other families in the same file (UF2 files may be concatenated; each ROM takes its own). */
  readonly otherFamilies: readonly number[];
  readonly flash: Uf2FlashImage;
}

export interface ParseUf2Options {
  /** The family the target takes (a Pico: `rp2040`). Without it the file must hold exactly one RP2 family. */
  family?: Rp2FamilyName;
  /** Flash size of the target in bytes; default and maximum 16 MiB. */
  flashSize?: number;
  /** A name for messages, usually the file path. */
  source?: string;
}

/**
 * picotool prepends one block of family `absolute` to every RP2350 flash image (erratum RP2350-E10):
 * block 0 of a nominal 2, a page of 0xef, tagged "ignore" by picotool ≥ 2.1. No ROM writes it.
 */
function isE10WorkaroundBlock(block: Uf2Block): boolean {
  return (
    block.familyId === familyByName('absolute')!.id &&
    block.blockNo === 0 &&
    block.numBlocks === 2 &&
    block.payloadSize === RP2_PAGE_SIZE &&
    block.payload.every((byte) => byte === 0xef) &&
    (block.targetAddr === E10_BLOCK_ADDRESS ||
      block.extensionTags.some((tag) => tag.type === UF2_TAG_RP2_IGNORE_BLOCK))
  );
}

/** Parse and verify a UF2 file for an RP2 flash; throws a `Uf2Error` naming the first problem. */
export function parseUf2(file: Uint8Array, options: ParseUf2Options = {}): Uf2Image {
  const { source } = options;
  const fail = failFor(source);
  const flashSize = options.flashSize ?? RP2_MAX_FLASH_SIZE;
  if (!Number.isInteger(flashSize) || flashSize <= 0 || flashSize > RP2_MAX_FLASH_SIZE) {
    throw new InputError(`flash size must be 1 .. ${RP2_MAX_FLASH_SIZE} bytes, not ${flashSize}`);
  }

  const blocks = readUf2Blocks(file, source);
  const skipped: Uf2SkippedBlock[] = [];
  const byFamily = new Map<number, Uf2Block[]>();
  for (const block of blocks) {
    if (block.flags & UF2_FLAG_FILE_CONTAINER) {
      fail(
        'unsupported-block',
        `block ${block.index} is a file-container block; RP2 boot ROMs only write flash`,
        block.index,
      );
    }
    if (block.familyId === undefined) {
      if (block.flags & UF2_FLAG_NOT_MAIN_FLASH) {
        skipped.push({ index: block.index, reason: 'not-main-flash' });
        continue;
      }
      fail(
        'wrong-family',
        `block ${block.index} carries no family id (flag 0x2000 clear); RP2 boot ROMs ignore such blocks`,
        block.index,
      );
    }
    if (isE10WorkaroundBlock(block)) {
      skipped.push({ index: block.index, reason: 'rp2350-e10-workaround', familyId: block.familyId });
      continue;
    }
    const group = byFamily.get(block.familyId!) ?? [];
    group.push(block);
    byFamily.set(block.familyId!, group);
  }

  const present = [...byFamily.keys()];
  const presentText = present.map(describeFamily).join(', ') || 'none';
  let family: Rp2Family;
  if (options.family !== undefined) {
    family = familyByName(options.family)!;
    if (!byFamily.has(family.id)) {
      fail('wrong-family', `the image is for ${presentText}; the target takes ${describeFamily(family.id)}`);
    }
  } else {
    const rp2 = RP2_FAMILIES.filter((candidate) => byFamily.has(candidate.id));
    if (rp2.length === 0) fail('wrong-family', `the image is for ${presentText}, not an RP2 chip`);
    if (rp2.length > 1) {
      fail('ambiguous-family', `the image holds ${presentText}; name the one to use (--family)`);
    }
    family = rp2[0]!;
  }

  const group = byFamily.get(family.id)!;
  for (const [id, others] of byFamily) {
    if (id === family.id) continue;
    for (const block of others) skipped.push({ index: block.index, reason: 'other-family', familyId: id });
  }
  checkSequence(group, fail);

  const flashBlocks: Uf2Block[] = [];
  for (const block of group) {
    if (block.flags & UF2_FLAG_NOT_MAIN_FLASH) {
      skipped.push({ index: block.index, reason: 'not-main-flash', familyId: family.id });
    } else {
      flashBlocks.push(block);
    }
  }
  skipped.sort((a, b) => a.index - b.index);
  if (flashBlocks.length === 0) {
    fail('missing-block', `no block of ${describeFamily(family.id)} writes flash`);
  }
  checkFlashTargets(flashBlocks, flashSize, fail);

  return {
    ...(source === undefined ? {} : { source }),
    fileSize: file.length,
    sha256: createHash('sha256').update(file).digest('hex'),
    blockCount: blocks.length,
    family,
    familyBlockCount: group.length,
    skipped,
    otherFamilies: present.filter((id) => id !== family.id),
    flash: assembleFlash(flashBlocks),
  };
}
