import { failFor } from './uf2-error.ts';
import { hex32 } from './uf2-families.ts';
import {
  UF2_BLOCK_SIZE,
  UF2_DATA_SIZE,
  UF2_END_MAGIC_OFFSET,
  UF2_FLAG_EXTENSION_TAGS_PRESENT,
  UF2_FLAG_FAMILY_ID_PRESENT,
  UF2_HEADER_SIZE,
  UF2_MAGIC_END,
  UF2_MAGIC_START0,
  UF2_MAGIC_START1,
  UF2_MAX_FILE_SIZE,
} from './uf2-format.ts';

/**
 * One UF2 block's 512 bytes (uf2-format.ts): decoded from a file, checked only for being a block at
 * all, and encoded (for the images tests make, uf2-writer.ts). What a boot ROM then makes of the
 * blocks is uf2.ts's and uf2-checks.ts's.
 */

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

/** Decode every block, checking only what makes it a UF2 block at all: size, magics, payload size. */
export function readUf2Blocks(file: Uint8Array, source?: string): Uf2Block[] {
  const fail = failFor(source);
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

export interface Uf2BlockFields {
  flags: number;
  targetAddr: number;
  payload: Uint8Array;
  blockNo: number;
  numBlocks: number;
  /** Written into the family / file-size word whatever the flags say. */
  familyId: number;
  /** Bytes placed after the payload in the data area (extension tags). */
  trailer?: Uint8Array;
}

/** One block's 512 bytes, as readUf2Blocks reads them back (tests make images with it: uf2-writer.ts). */
export function encodeUf2Block(fields: Uf2BlockFields): Uint8Array {
  const block = new Uint8Array(UF2_BLOCK_SIZE);
  const view = new DataView(block.buffer);
  const words = [
    UF2_MAGIC_START0,
    UF2_MAGIC_START1,
    fields.flags,
    fields.targetAddr,
    fields.payload.length,
    fields.blockNo,
    fields.numBlocks,
    fields.familyId,
  ];
  words.forEach((word, i) => view.setUint32(i * 4, word >>> 0, true));
  block.set(fields.payload, UF2_HEADER_SIZE);
  if (fields.trailer) block.set(fields.trailer, UF2_HEADER_SIZE + ((fields.payload.length + 3) & ~3));
  view.setUint32(UF2_END_MAGIC_OFFSET, UF2_MAGIC_END, true);
  return block;
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
