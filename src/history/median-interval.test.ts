import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { medianInterval } from './median-interval.ts';

describe('medianInterval (order-statistic CI of a median)', () => {
  it('uses the ranks of the sign-test tables', () => {
    const ranks = (n: number) => {
      const values = Array.from({ length: n }, (_, i) => i + 1); // value = rank
      const { low, high } = medianInterval(values);
      return [low, high];
    };
    // Classic 95% ranks: n=6 → (1,6), n=10 → (2,9), n=20 → (6,15), n=30 → (10,21).
    expect(ranks(6)).toEqual([1, 6]);
    expect(ranks(10)).toEqual([2, 9]);
    expect(ranks(20)).toEqual([6, 15]);
    expect(ranks(30)).toEqual([10, 21]);
  });

  it('says how much a short sample covers: the whole range, below 95% under six values', () => {
    expect(medianInterval([5, 1, 3])).toEqual({ median: 3, low: 1, high: 5, coverage: 0.75 });
    expect(medianInterval([7]).coverage).toBe(0);
    expect(medianInterval([1, 2, 3, 4, 5, 6]).coverage).toBeCloseTo(1 - 2 / 64, 12);
  });

  it('always brackets the median and reaches the level from six values on (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }),
        (values) => {
          const r = medianInterval(values);
          expect(r.low).toBeLessThanOrEqual(r.median);
          expect(r.median).toBeLessThanOrEqual(r.high);
          if (values.length >= 6) expect(r.coverage).toBeGreaterThanOrEqual(0.95);
        },
      ),
    );
  });

  it('refuses an empty sample and a level outside (0, 1)', () => {
    expect(() => medianInterval([])).toThrow(InputError);
    expect(() => medianInterval([1, 2], 1)).toThrow(InputError);
  });
});
