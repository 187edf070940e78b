import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadMemInfo } from '../../test/support/fixtures.ts';
import { MemInfoParseError } from './errors.ts';
import { formatMemInfo } from './format.ts';
import { parseMemInfo } from './parse.ts';
import { gcInfoOf } from './summary.ts';
import { HEAD_LETTERS, type MemInfo } from './types.ts';

/**
 * Malformed input must end in a MemInfoParseError (or, when it happens to still be a valid
 * dump, parse to something that formats back to exactly the input): never another exception,
 * never a hang. The parser accepts only the canonical text gc.c prints.
 */
function parsesCanonicallyOrRejects(text: string): void {
  let info: MemInfo;
  try {
    info = parseMemInfo(text);
  } catch (error) {
    // Plain checks, not expect(): this runs thousands of times.
    if (!(error instanceof MemInfoParseError)) throw error;
    return;
  }
  const formatted = formatMemInfo(info);
  if (formatted !== text) throw new Error(`accepted non-canonical text: ${JSON.stringify(text)}`);
}

const ALPHABET = [
  '.',
  '=',
  'h',
  'A',
  'L',
  'm',
  'x',
  '0',
  '4',
  'f',
  ':',
  ' ',
  '(',
  ')',
  ',',
  '\r',
  '\n',
  '\0',
  'é',
];

const mutation = (length: number): fc.Arbitrary<(text: string) => string> =>
  fc.oneof(
    fc.tuple(fc.nat(length), fc.nat(64)).map(
      ([at, n]) =>
        (t: string) =>
          t.slice(0, at) + t.slice(at + n),
    ),
    fc.tuple(fc.nat(length), fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 })).map(
      ([at, chars]) =>
        (t: string) =>
          t.slice(0, at) + chars.join('') + t.slice(at),
    ),
    fc.tuple(fc.nat(length), fc.constantFrom(...ALPHABET)).map(
      ([at, c]) =>
        (t: string) =>
          t.slice(0, at) + c + t.slice(at + 1),
    ),
    fc.nat(length).map((at) => (t: string) => t.slice(0, at)),
    fc.tuple(fc.nat(200), fc.nat(200)).map(([a, b]) => (t: string) => {
      const lines = t.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }),
    fc.nat(200).map((a) => (t: string) => {
      const lines = t.split('\n');
      lines.splice(a % lines.length, 0, lines[a % lines.length]!);
      return lines.join('\n');
    }),
  );

describe('parseMemInfo on malformed input (property-based)', () => {
  for (const name of ['mem_info1-boot', 'mem_info1-2000-bytearray48'] as const) {
    it(`mutations of ${name}: a named error or the same text back`, () => {
      const text = loadMemInfo(name);
      fc.assert(
        fc.property(fc.array(mutation(text.length), { minLength: 1, maxLength: 3 }), (edits) => {
          parsesCanonicallyOrRejects(edits.reduce((t, edit) => edit(t), text));
        }),
        { numRuns: 400 },
      );
    });
  }

  it('arbitrary strings and line soup', () => {
    const fragments = [
      'stack: 1 out of 2',
      'GC: total: 64, used: 16, free: 48',
      ' No. of 1-blocks: 1, 2-blocks: 0, max blk sz: 1, max free sz: 3',
      'GC memory layout; from 1000:',
      '00000000: h...',
      '00000000: ',
      '       (2 lines all free)',
      '       (99999999999999999999 lines all free)',
      '       (1000000000000 lines all free)',
      'GC: total: 9999999999999984, used: 0, free: 9999999999999984',
      'GC: total: 16777216, used: 0, free: 16777216',
      '\r\n',
      '\n',
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((a) => a.join('')),
        ),
        parsesCanonicallyOrRejects,
      ),
      { numRuns: 500 },
    );
  });
});

/** A valid area: runs of free blocks and allocations (a head letter and its tails). */
const area = fc
  .array(
    fc.oneof(
      fc.integer({ min: 1, max: 300 }).map((n) => '.'.repeat(n)),
      fc
        .tuple(fc.constantFrom(...HEAD_LETTERS), fc.integer({ min: 0, max: 70 }))
        .map(([h, n]) => h + '='.repeat(n)),
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((runs) => runs.join(''));

describe('parseMemInfo on every valid heap (property-based)', () => {
  it('format then parse gives back the same areas, whatever their shape', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(area, fc.integer({ min: 1, max: 0x7fffffff })), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('\r\n' as const, '\n' as const),
        (areas, lineEnding) => {
          const gc = gcInfoOf(areas.map(([blocks]) => blocks));
          const info: MemInfo = {
            lineEnding,
            memStats: null,
            stack: { used: 100, limit: 7936 },
            gc: { total: gc.total, used: gc.used, free: gc.free, maxNewSplit: null },
            allocations: {
              oneBlock: gc.oneBlock,
              twoBlock: gc.twoBlock,
              maxBlockSize: gc.maxBlockSize,
              maxFreeSize: gc.maxFreeSize,
            },
            map: { areas: areas.map(([blocks, poolStart]) => ({ poolStart: poolStart * 16, blocks })) },
          };
          const text = formatMemInfo(info);
          expect(parseMemInfo(text)).toEqual({ ...info, trailing: '' });
        },
      ),
      { numRuns: 300 },
    );
  });
});
