import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { erfc, mannWhitneyU, minimumTwoSidedP } from './mann-whitney.ts';

/** Reference: every split of the pooled values into groups of n1 and n2, counted by brute force. */
function bruteForceTwoSidedP(x: number[], y: number[]): number {
  const pooled = [...x, ...y];
  const n1 = x.length;
  const uOf = (a: number[], b: number[]): number =>
    a.reduce((acc, ai) => acc + b.reduce((s, bj) => s + (ai > bj ? 1 : ai === bj ? 0.5 : 0), 0), 0);
  const observed = uOf(x, y);
  let lower = 0;
  let upper = 0;
  let all = 0;
  const n = pooled.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let m = mask; m; m &= m - 1) bits++;
    if (bits !== n1) continue;
    const a = pooled.filter((_, i) => mask & (1 << i));
    const b = pooled.filter((_, i) => !(mask & (1 << i)));
    const u = uOf(a, b);
    all++;
    if (u <= observed + 1e-9) lower++;
    if (u >= observed - 1e-9) upper++;
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / all);
}

describe('mannWhitneyU', () => {
  // scipy 1.17 documentation example (Mann & Whitney's ages): U1 = 17, exact p = 1/9,
  // asymptotic (tie + continuity corrected) p = 0.11134688653314041.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it('matches the textbook exact case', () => {
    const r = mannWhitneyU(males, females);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(17);
    expect(r.uOther).toBe(3);
    expect(r.pValue).toBeCloseTo(1 / 9, 12);
    expect(r.probabilityXGreater).toBeCloseTo(17 / 20, 12);
  });

  it('matches scipy asymptotic p-values, with and without ties', () => {
    expect(mannWhitneyU(males, females, { method: 'normal' }).pValue).toBeCloseTo(0.11134688653314041, 6);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], { method: 'normal' }).pValue).toBeCloseTo(
      0.08085559837005224,
      6,
    );
    const tied = mannWhitneyU([1, 2, 2, 3, 3, 3], [3, 4, 4, 5], { method: 'normal' });
    expect(tied.u).toBe(1.5);
    expect(tied.hasTies).toBe(true);
    expect(tied.pValue).toBeCloseTo(0.026826219079541514, 6);
  });

  it('uses the normal approximation for large samples (scipy: U = 334, p = 8.628e-5)', () => {
    const x = [8, 7, 10, 11, 12, 10, 9, 8, 11, 13, 11, 8, 8, 13, 10, 7, 10, 8, 9, 9];
    x.push(9, 11, 10, 9, 11, 12, 7, 9, 8, 10, 7, 10, 10, 9, 8, 9, 8, 7, 10, 8);
    const y = [13, 12, 7, 12, 9, 11, 11, 7, 11, 10, 13, 9, 12, 9, 10, 9, 14, 12, 16, 12];
    y.push(13, 13, 10, 11, 14, 10, 11, 11, 12, 10, 11, 11, 11, 9, 13);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(334);
    expect(r.pValue / 8.628018950195569e-5).toBeCloseTo(1, 5);
  });

  it('complete separation of 3 vs 3 gives the smallest possible p, 2/20', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(0.1, 12);
    expect(minimumTwoSidedP(3, 3)).toBeCloseTo(0.1, 12);
    expect(minimumTwoSidedP(5, 5)).toBeCloseTo(2 / 252, 12);
    expect(minimumTwoSidedP(4, 4)).toBeCloseTo(2 / 70, 12);
  });

  it('exact p equals a brute-force enumeration, ties included', () => {
    const small = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(small, small, (x, y) => {
        const r = mannWhitneyU(x, y, { method: 'exact' });
        expect(r.pValue).toBeCloseTo(bruteForceTwoSidedP(x, y), 10);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('is symmetric in its arguments and U values add up to n1·n2', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (x, y) => {
          const a = mannWhitneyU(x, y);
          const b = mannWhitneyU(y, x);
          expect(a.pValue).toBeCloseTo(b.pValue, 10);
          expect(a.u + a.uOther).toBe(x.length * y.length);
          expect(a.u).toBe(b.uOther);
          expect(a.pValue).toBeGreaterThan(0);
          expect(a.pValue).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 7, numRuns: 100 },
    );
  });

  it('moves by one rank, not by size, when one value becomes wild', () => {
    const x = [10, 11, 12, 13, 14, 15];
    const y = [12.5, 13.5, 14.5, 15.5, 16.5, 17.5];
    const wild = [...y.slice(0, 5), 17.5e6];
    expect(mannWhitneyU(x, wild).pValue).toBe(mannWhitneyU(x, y).pValue);
  });

  it('gives p = 1 when every value is equal', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5]).pValue).toBe(1);
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5], { method: 'normal' }).pValue).toBe(1);
  });

  it('rejects empty and non-finite samples with InputError', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(InputError);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(/non-finite value at index 1/);
    expect(() => minimumTwoSidedP(0, 3)).toThrow(InputError);
  });
});

describe('erfc', () => {
  it('agrees with Python math.erfc to 1.2e-7 relative', () => {
    const cases: [number, number][] = [
      [0, 1],
      [1, 0.15729920705028513],
      [3, 2.2090496998585438e-5],
      [-0.5, 1.5204998778130465],
      [6, 2.1519736712498916e-17],
    ];
    for (const [x, expected] of cases) expect(Math.abs(erfc(x) / expected - 1)).toBeLessThan(1.2e-7);
  });
});
