import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import {
  RP2_FAMILIES,
  describeFamily,
  familyByName,
  hex32,
  type Rp2Family,
  type Rp2FamilyName,
} from './uf2-families.ts';

/**
 * A UF2 reader that checks a file the way the RP2 boot ROMs will treat it, so a bad build is refused
 * on the host with a reason instead of being half-written to a board that then silently keeps its old
 * firmware. Layout from the UF2 specification (github.com/microsoft/uf2, README "File format"); the RP2
 * rules (family id required, 256-byte payloads at 256-byte-aligned flash addresses) from the RP2040
 * datasheet §2.8.4.2 and the RP2350 datasheet §5.5.3.
 */

export const UF2_BLOCK_SIZE = 512;
export const UF2_MAGIC_START0 = 0x0a324655; // "UF2\n"
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_HEADER_SIZE = 32;
/** The data area of a block: 512 minus the 32-byte header and the 4-byte end magic. */
export const UF2_DATA_SIZE = 476;
export const UF2_END_MAGIC_OFFSET = 508;

export const UF2_FLAG_NOT_MAIN_FLASH = 0x0000_0001;
export const UF2_FLAG_FILE_CONTAINER = 0x0000_1000;
export const UF2_FLAG_FAMILY_ID_PRESENT = 0x0000_2000;
export const UF2_FLAG_MD5_PRESENT = 0x0000_4000;
export const UF2_FLAG_EXTENSION_TAGS_PRESENT = 0x0000_8000;

/** The RP2 boot ROMs write flash in 256-byte pages and take nothing else. */
export const RP2_PAGE_SIZE = 256;
/** Flash is mapped at the start of the XIP window on both chips. */
export const RP2_FLASH_BASE = 0x1000_0000;
/** The XIP window for one flash chip is 16 MiB; a Pico carries 2 MiB, a Pico 2 4 MiB. */
export const RP2_MAX_FLASH_SIZE = 16 * 1024 * 1024;
/**
 * Extension tag picotool puts on the RP2350-E10 workaround block ("ignore this block"): a 4-byte tag,
 * i.e. the little-endian word 0x9957e304 right after the payload.
 */
export const UF2_TAG_RP2_IGNORE_BLOCK = 0x9957e3;
/** Where picotool aims the E10 workaround block by default (last page of a 16 MiB flash). */
const E10_BLOCK_ADDRESS = 0x10ff_ff00;

/** Larger than any image for a 16 MiB flash (two UF2 bytes per flash byte) plus slack: refuse to read. */
export const UF2_MAX_FILE_SIZE = 4 * RP2_MAX_FLASH_SIZE;

export type Uf2ErrorReason =
  | 'not-uf2'
  | 'too-large'
  | 'truncated'
  | 'bad-magic'
  | 'bad-payload-size'
  | 'unsupported-block'
  | 'wrong-family'
  | 'ambiguous-family'
  | 'block-count-mismatch'
  | 'out-of-order'
  | 'missing-block'
  | 'address-outside-flash'
  | 'misaligned-address'
  | 'overlapping-blocks';

/** A UF2 file that a Pico's boot ROM would reject or only half-write. Exit code 2, like any bad input. */
export class Uf2Error extends InputError {
  constructor(
    readonly reason: Uf2ErrorReason,
    detail: string,
    /** Index of the offending 512-byte block in the file (0-based), when one block is to blame. */
    readonly blockIndex?: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${reason}: ${detail}`);
  }
}

export interface Uf2ExtensionTag {
  /** 24-bit tag type, e.g. 0x9fc7bc (firmware version) or 0x9957e3 (RP2 "ignore block"). */
  readonly type: number;
  readonly data: Uint8Array;
}

/** One 512-byte block, decoded but not yet judged against a chip. */
export interface Uf2Block {
  /** Position in the file, 0-based (the file offset is index × 512). */
  readonly index: number;
  readonly flags: number;
  readonly targetAddr: number;
  readonly payloadSize: number;
  readonly blockNo: number;
  readonly numBlocks: number;
  /** The family id when the "familyID present" flag is set; otherwise that word is a file size or 0. */
  readonly familyId: number | undefined;
  readonly payload: Uint8Array;
  readonly extensionTags: readonly Uf2ExtensionTag[];
}

export type Uf2SkipReason = 'not-main-flash' | 'rp2350-e10-workaround' | 'other-family';

export interface Uf2SkippedBlock {
  readonly index: number;
  readonly reason: Uf2SkipReason;
  readonly familyId?: number;
}

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

/** Decode every block, checking only what makes it a UF2 block at all: size, magics, payload size. */
export function readUf2Blocks(file: Uint8Array, source?: string): Uf2Block[] {
  const fail = (reason: Uf2ErrorReason, detail: string, index?: number): never => {
    throw new Uf2Error(reason, detail, index, source);
  };
  if (file.length > UF2_MAX_FILE_SIZE) {
    fail('too-large', `${file.length} bytes is more than any RP2 image (limit ${UF2_MAX_FILE_SIZE} bytes)`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (
    file.length < 8 ||
    view.getUint32(0, true) !== UF2_MAGIC_START0 ||
    view.getUint32(4, true) !== UF2_MAGIC_START1
  ) {
    fail('not-uf2', `the file does not start with the UF2 magic numbers (${file.length} bytes)`);
  }
  if (file.length % UF2_BLOCK_SIZE !== 0) {
    const whole = Math.floor(file.length / UF2_BLOCK_SIZE);
    fail(
      'truncated',
      `${file.length} bytes is not a whole number of 512-byte blocks: block ${whole} is cut after ` +
        `${file.length % UF2_BLOCK_SIZE} bytes`,
      whole,
    );
  }

  const blocks: Uf2Block[] = [];
  for (let index = 0; index < file.length / UF2_BLOCK_SIZE; index++) {
    const at = index * UF2_BLOCK_SIZE;
    const word = (offset: number) => view.getUint32(at + offset, true);
    if (word(0) !== UF2_MAGIC_START0 || word(4) !== UF2_MAGIC_START1) {
      fail(
        'bad-magic',
        `block ${index} (file offset ${at}) does not start with the UF2 magic numbers`,
        index,
      );
    }
    if (word(UF2_END_MAGIC_OFFSET) !== UF2_MAGIC_END) {
      fail(
        'bad-magic',
        `block ${index} (file offset ${at}) ends with ${hex32(word(UF2_END_MAGIC_OFFSET))}, ` +
          `not the UF2 end magic ${hex32(UF2_MAGIC_END)}`,
        index,
      );
    }
    const flags = word(8);
    const payloadSize = word(16);
    if (payloadSize > UF2_DATA_SIZE) {
      fail(
        'bad-payload-size',
        `block ${index} claims ${payloadSize} payload bytes; a block holds at most 476`,
        index,
      );
    }
    const data = file.subarray(at + UF2_HEADER_SIZE, at + UF2_HEADER_SIZE + UF2_DATA_SIZE);
    blocks.push({
      index,
      flags,
      targetAddr: word(12),
      payloadSize,
      blockNo: word(20),
      numBlocks: word(24),
      familyId: flags & UF2_FLAG_FAMILY_ID_PRESENT ? word(28) : undefined,
      payload: data.subarray(0, payloadSize),
      extensionTags: flags & UF2_FLAG_EXTENSION_TAGS_PRESENT ? readExtensionTags(data, payloadSize) : [],
    });
  }
  return blocks;
}

/**
 * Tags start at the first 4-byte boundary after the payload: a size byte (whole tag, header included),
 * a 24-bit type, then data. A zero word or 0xffffffff ends the list. Tags are advisory, so a malformed
 * list ends the list rather than the parse.
 */
function readExtensionTags(data: Uint8Array, payloadSize: number): Uf2ExtensionTag[] {
  const tags: Uf2ExtensionTag[] = [];
  let offset = (payloadSize + 3) & ~3;
  while (offset + 4 <= data.length) {
    const size = data[offset]!;
    const type = data[offset + 1]! | (data[offset + 2]! << 8) | (data[offset + 3]! << 16);
    if ((size === 0 && type === 0) || (size === 0xff && type === 0xffffff)) break;
    if (size < 4 || offset + size > data.length) break;
    tags.push({ type, data: data.subarray(offset + 4, offset + size) });
    offset += (size + 3) & ~3;
  }
  return tags;
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
  const fail = (reason: Uf2ErrorReason, detail: string, index?: number): never => {
    throw new Uf2Error(reason, detail, index, source);
  };
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

type Fail = (reason: Uf2ErrorReason, detail: string, index?: number) => never;

/** blockNo must run 0..numBlocks-1 in file order, with one numBlocks for the whole family. */
function checkSequence(group: readonly Uf2Block[], fail: Fail): void {
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

function checkFlashTargets(blocks: readonly Uf2Block[], flashSize: number, fail: Fail): void {
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

function assembleFlash(blocks: readonly Uf2Block[]): Uf2FlashImage {
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
