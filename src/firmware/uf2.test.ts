import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { familyByName } from './uf2-families.ts';
import { encodeUf2Block, readUf2Blocks } from './uf2-blocks.ts';
import { Uf2Error, type Uf2ErrorReason } from './uf2-error.ts';
import { parseUf2 } from './uf2.ts';
import { e10WorkaroundBlock, writeUf2 } from './uf2-writer.ts';

const BLOCK = 512;

/** Distinct bytes per position, so a block landing at the wrong address shows in the image. */
function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
}

function word(file: Uint8Array, block: number, offset: number): number {
  return new DataView(file.buffer, file.byteOffset).getUint32(block * BLOCK + offset, true);
}

function setWord(file: Uint8Array, block: number, offset: number, value: number): Uint8Array {
  new DataView(file.buffer, file.byteOffset).setUint32(block * BLOCK + offset, value >>> 0, true);
  return file;
}

function blocksOf(file: Uint8Array): Uint8Array[] {
  return Array.from({ length: file.length / BLOCK }, (_, i) => file.slice(i * BLOCK, (i + 1) * BLOCK));
}

function join(blocks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(blocks));
}

function uf2ErrorOf(run: () => unknown): Uf2Error {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Uf2Error);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Uf2Error).exitCode).toBe(2);
    return error as Uf2Error;
  }
  throw new Error('expected a Uf2Error');
}

function expectReason(run: () => unknown, reason: Uf2ErrorReason, blockIndex?: number): Uf2Error {
  const error = uf2ErrorOf(run);
  expect(error.reason).toBe(reason);
  expect(error.message).toContain(`${reason}: `);
  if (blockIndex !== undefined) expect(error.blockIndex).toBe(blockIndex);
  return error;
}

describe('parseUf2: a valid image', () => {
  const payload = pattern(10 * 256 + 100); // 11 blocks, the last one padded
  const file = writeUf2(payload);

  it('reads every block, the family by name and the flash image byte for byte', () => {
    const image = parseUf2(file, { source: 'build.uf2' });
    expect(image.blockCount).toBe(11);
    expect(image.familyBlockCount).toBe(11);
    expect(image.family.name).toBe('rp2040');
    expect(image.family.id).toBe(0xe48bff56);
    expect(image.flash.start).toBe(0x10000000);
    expect(image.flash.end).toBe(0x10000000 + 11 * 256);
    expect(image.flash.holes).toEqual([]);
    expect(Buffer.from(image.flash.bytes.subarray(0, payload.length)).equals(Buffer.from(payload))).toBe(
      true,
    );
    expect(image.flash.bytes.subarray(payload.length).every((byte) => byte === 0)).toBe(true);
    expect(image.skipped).toEqual([]);
    expect(image.source).toBe('build.uf2');
  });

  it('hashes the whole file with sha256', async () => {
    const { createHash } = await import('node:crypto');
    const image = parseUf2(file);
    expect(image.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(image.sha256).toMatch(/^[0-9a-f]{64}$/);
    const other = writeUf2(pattern(300));
    expect(parseUf2(other).sha256).not.toBe(image.sha256);
  });

  it('accepts the image when the target family is named, and refuses it for another family', () => {
    expect(parseUf2(file, { family: 'rp2040' }).family.name).toBe('rp2040');
    const error = expectReason(() => parseUf2(file, { family: 'rp2350-arm-s' }), 'wrong-family');
    expect(error.message).toContain('rp2040 (0xe48bff56)');
    expect(error.message).toContain('rp2350-arm-s (0xe48bff59)');
  });

  it('reads a Uint8Array that is a view into a larger buffer', () => {
    const padded = new Uint8Array(file.length + 100);
    padded.set(file, 100);
    expect(parseUf2(padded.subarray(100)).blockCount).toBe(11);
  });

  it('leaves holes between blocks erased (0xff) and reports them', () => {
    const blocks = blocksOf(writeUf2(pattern(3 * 256)));
    setWord(blocks[2]!, 0, 12, 0x10000000 + 8 * 256); // third page moves up, leaving pages 2..7 unwritten
    const image = parseUf2(join(blocks));
    expect(image.flash.end).toBe(0x10000000 + 9 * 256);
    expect(image.flash.holes).toEqual([{ start: 0x10000200, end: 0x10000800 }]);
    expect(image.flash.bytes.subarray(512, 2048).every((byte) => byte === 0xff)).toBe(true);
    expect(image.flash.bytes[8 * 256]).toBe(pattern(3 * 256)[512]);
  });
});

describe('parseUf2: RP2350 images as picotool writes them', () => {
  it('names each RP2350 family', () => {
    for (const name of ['rp2350-arm-s', 'rp2350-riscv', 'rp2350-arm-ns', 'absolute', 'data'] as const) {
      const image = parseUf2(writeUf2(pattern(512), { family: name }));
      expect(image.family.name).toBe(name);
      expect(image.family.id).toBe(familyByName(name)!.id);
    }
  });

  it('skips the RP2350-E10 workaround block and numbers the image blocks on their own', () => {
    const file = writeUf2(pattern(4 * 256), { family: 'rp2350-arm-s', e10Block: true });
    expect(file.length).toBe(5 * BLOCK);
    const image = parseUf2(file, { flashSize: 4 * 1024 * 1024 }); // the E10 block aims past a 4 MiB flash
    expect(image.family.name).toBe('rp2350-arm-s');
    expect(image.skipped).toEqual([{ index: 0, reason: 'rp2350-e10-workaround', familyId: 0xe48bff57 }]);
    expect(image.otherFamilies).toEqual([]);
    expect(image.flash.end - image.flash.start).toBe(4 * 256);
  });

  it('reads the "ignore block" extension tag', () => {
    const [block] = readUf2Blocks(e10WorkaroundBlock());
    expect(block!.extensionTags).toEqual([{ type: 0x9957e3, data: new Uint8Array(0) }]);
  });

  it('takes the target family from a concatenation of two images and skips the other', () => {
    const rp2040 = writeUf2(pattern(2 * 256));
    const rp2350 = writeUf2(pattern(3 * 256), { family: 'rp2350-arm-s', e10Block: true });
    const both = join([rp2040, rp2350]);
    const forPico = parseUf2(both, { family: 'rp2040' });
    expect(forPico.familyBlockCount).toBe(2);
    expect(forPico.otherFamilies).toEqual([0xe48bff59]);
    expect(forPico.skipped.map((s) => s.reason)).toEqual([
      'rp2350-e10-workaround',
      'other-family',
      'other-family',
      'other-family',
    ]);
    expect(parseUf2(both, { family: 'rp2350-arm-s' }).familyBlockCount).toBe(3);
    expectReason(() => parseUf2(both), 'ambiguous-family');
  });
});

describe('parseUf2: each broken image is a named error', () => {
  it('not-uf2: text, an empty file, random bytes', () => {
    expectReason(() => parseUf2(Buffer.from('MicroPython v1.28.0 firmware\n'.repeat(40))), 'not-uf2');
    expectReason(() => parseUf2(new Uint8Array(0)), 'not-uf2');
    expectReason(() => parseUf2(pattern(1024)), 'not-uf2');
  });

  it('truncated: cut inside a block', () => {
    const file = writeUf2(pattern(8 * 256));
    const error = expectReason(() => parseUf2(file.subarray(0, 5 * BLOCK + 100)), 'truncated', 5);
    expect(error.message).toContain('cut after 100 bytes');
  });

  it('truncated: cut at a block boundary, so the last blocks are missing', () => {
    const file = writeUf2(pattern(8 * 256));
    const error = expectReason(() => parseUf2(file.subarray(0, 5 * BLOCK)), 'truncated', 4);
    expect(error.message).toContain('8 blocks');
  });

  it('bad-magic: a corrupted start or end magic in a later block', () => {
    const file = writeUf2(pattern(4 * 256));
    expectReason(() => parseUf2(setWord(file.slice(), 2, 4, 0x12345678)), 'bad-magic', 2);
    expectReason(() => parseUf2(setWord(file.slice(), 3, 0, 0)), 'bad-magic', 3);
    const error = expectReason(() => parseUf2(setWord(file.slice(), 1, 508, 0xdeadbeef)), 'bad-magic', 1);
    expect(error.message).toContain('0xdeadbeef');
  });

  it('wrong-family: an ESP32 image, and blocks with no family id', () => {
    const esp32 = writeUf2(pattern(512), { family: 0x1c5f21b0 });
    expect(expectReason(() => parseUf2(esp32), 'wrong-family').message).toContain('0x1c5f21b0');
    expectReason(() => parseUf2(esp32, { family: 'rp2040' }), 'wrong-family');
    const noFamily = writeUf2(pattern(512));
    for (let i = 0; i < 2; i++) setWord(noFamily, i, 8, 0);
    expect(expectReason(() => parseUf2(noFamily), 'wrong-family', 0).message).toContain('no family id');
  });

  it('out-of-order: two blocks swapped, or a number repeated', () => {
    const blocks = blocksOf(writeUf2(pattern(5 * 256)));
    const swapped = join([blocks[0]!, blocks[2]!, blocks[1]!, blocks[3]!, blocks[4]!]);
    const error = expectReason(() => parseUf2(swapped), 'out-of-order', 2);
    expect(error.message).toContain('number 1 but follows number 2');
    const repeated = join([blocks[0]!, blocks[1]!, blocks[1]!, blocks[3]!, blocks[4]!]);
    expectReason(() => parseUf2(repeated), 'out-of-order', 2);
  });

  it('missing-block: a block dropped from the middle', () => {
    const blocks = blocksOf(writeUf2(pattern(5 * 256)));
    const error = expectReason(
      () => parseUf2(join([blocks[0]!, blocks[1]!, blocks[3]!, blocks[4]!])),
      'missing-block',
      2,
    );
    expect(error.message).toContain('block number 2 of 5 is missing');
  });

  it('block-count-mismatch: blocks disagree on the total, or a number is past it', () => {
    const file = writeUf2(pattern(3 * 256));
    expectReason(() => parseUf2(setWord(file.slice(), 1, 24, 4)), 'block-count-mismatch', 1);
    expectReason(() => parseUf2(setWord(file.slice(), 2, 20, 3)), 'block-count-mismatch', 2);
  });

  it('address-outside-flash: below flash, past the flash size, in SRAM', () => {
    expectReason(() => parseUf2(writeUf2(pattern(512), { base: 0x0fffff00 })), 'address-outside-flash', 0);
    const end = writeUf2(pattern(3 * 256), { base: 0x10000000 + 2 * 1024 * 1024 - 512 });
    expect(parseUf2(end).flash.end).toBe(0x10000000 + 2 * 1024 * 1024 + 256); // fits 16 MiB
    expectReason(() => parseUf2(end, { flashSize: 2 * 1024 * 1024 }), 'address-outside-flash', 2);
    expectReason(() => parseUf2(writeUf2(pattern(512), { base: 0x11000000 })), 'address-outside-flash', 0);
    const sram = expectReason(
      () => parseUf2(writeUf2(pattern(512), { base: 0x20000000 })),
      'address-outside-flash',
    );
    expect(sram.message).toContain('SRAM');
  });

  it('misaligned-address and overlapping-blocks', () => {
    expectReason(() => parseUf2(writeUf2(pattern(512), { base: 0x10000080 })), 'misaligned-address', 0);
    const file = writeUf2(pattern(3 * 256));
    setWord(file, 2, 12, word(file, 0, 12));
    expectReason(() => parseUf2(file), 'overlapping-blocks', 2);
  });

  it('bad-payload-size: more than 476 bytes, or not the 256 an RP2 boot ROM takes', () => {
    const file = writeUf2(pattern(512));
    expectReason(() => parseUf2(setWord(file.slice(), 1, 16, 477)), 'bad-payload-size', 1);
    expectReason(() => parseUf2(writeUf2(pattern(1024), { payloadSize: 476 })), 'bad-payload-size', 0);
    expectReason(() => parseUf2(setWord(file.slice(), 0, 16, 0)), 'bad-payload-size', 0);
  });

  it('unsupported-block: a file-container block', () => {
    const file = writeUf2(pattern(512));
    setWord(file, 0, 8, 0x2000 | 0x1000);
    expectReason(() => parseUf2(file), 'unsupported-block', 0);
  });

  it('skips not-main-flash blocks but keeps them in the numbering', () => {
    const file = writeUf2(pattern(3 * 256));
    setWord(file, 1, 8, 0x2000 | 0x0001);
    const image = parseUf2(file);
    expect(image.skipped).toEqual([{ index: 1, reason: 'not-main-flash', familyId: 0xe48bff56 }]);
    expect(image.flash.holes).toEqual([{ start: 0x10000100, end: 0x10000200 }]);
  });

  it('refuses a flash size larger than the 16 MiB XIP window', () => {
    expect(() => parseUf2(writeUf2(pattern(256)), { flashSize: 32 * 1024 * 1024 })).toThrow(InputError);
  });

  it('encodes a block the parser reads back field for field', () => {
    const block = encodeUf2Block({
      flags: 0x2000,
      targetAddr: 0x10000400,
      payload: pattern(256),
      blockNo: 4,
      numBlocks: 9,
      familyId: 0xe48bff56,
    });
    const [read] = readUf2Blocks(block);
    expect(read).toMatchObject({ targetAddr: 0x10000400, blockNo: 4, numBlocks: 9, familyId: 0xe48bff56 });
    expect(word(block, 0, 16)).toBe(256);
  });
});

describe('parseUf2 fuzzed', () => {
  const valid = writeUf2(pattern(6 * 256), { family: 'rp2350-arm-s', e10Block: true });

  it('answers any damage to a valid image with an image or a Uf2Error, never another exception', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (flips, cut) => {
          const damaged = valid.slice(0, valid.length - (cut % 3 === 0 ? cut % valid.length : 0));
          for (const [at, mask] of flips) if (damaged.length > 0) damaged[at % damaged.length]! ^= mask;
          try {
            const image = parseUf2(damaged);
            expect(image.flash.end - image.flash.start).toBe(image.flash.bytes.length);
          } catch (error) {
            expect(error).toBeInstanceOf(Uf2Error);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers arbitrary bytes with a Uf2Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(() => parseUf2(bytes)).toThrow(Uf2Error);
      }),
    );
  });
});
