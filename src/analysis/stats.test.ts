import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { seededRandom } from '../prng.ts';
import { median, quantile, summarize } from './stats.ts';

describe('quantile', () => {
  it('interpolates like numpy/R type 7', () => {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.9]) = [1.75, 2.5, 3.7]
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 12);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(quantile([7], 0.3)).toBe(7);
  });

  it('sorts numerically, not as text', () => {
    expect(median([10, 9, 100])).toBe(10);
  });

  it('rejects bad input with InputError', () => {
    expect(() => quantile([], 0.5)).toThrow(InputError);
    expect(() => quantile([1, 2], 1.5)).toThrow(InputError);
    expect(() => median([1, Number.POSITIVE_INFINITY])).toThrow(/non-finite/);
  });
});

describe('summarize', () => {
  it('computes median, quartiles and MAD', () => {
    const s = summarize([1, 1, 2, 2, 4, 6, 9]);
    expect(s.median).toBe(2);
    expect(s.mad).toBe(1); // |x − 2| = 1 1 0 0 2 4 7 → median 1
    expect(s.robustSpread).toBeCloseTo(1.4826, 4);
    expect(s.q1).toBe(1.5);
    expect(s.q3).toBe(5);
    expect(s.iqr).toBe(3.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(9);
    expect(s.n).toBe(7);
  });

  it('a stable sample carries no warnings', () => {
    const s = summarize([100, 101, 99, 100, 102, 98]);
    expect(s.unstable).toBe(false);
    expect(s.warnings).toEqual([]);
  });

  it("flags pyperf's instability cases: SD ≥ 10% of the mean, extremes ≥ 50% from it", () => {
    const s = summarize([100, 100, 100, 100, 200]); // mean 120, SD 44.7 (37%), max +67%
    expect(s.unstable).toBe(true);
    expect(s.warnings.map((w) => w.code)).toEqual(['large-stdev', 'far-maximum']);
    expect(s.warnings[0]?.message).toBe('the standard deviation (44.72) is 37% of the mean (120)');
    expect(s.warnings[1]?.message).toBe('the maximum (200) is 67% greater than the mean (120)');
    const low = summarize([100, 100, 100, 100, 100, 100, 100, 100, 100, 10]);
    expect(low.warnings.map((w) => w.code)).toContain('far-minimum');
  });

  it('the robust spread ignores one outlier that the SD does not', () => {
    const r = seededRandom(3);
    const values = Array.from({ length: 50 }, () => 1000 + 10 * r.normal());
    const clean = summarize(values);
    values[7] = 100_000;
    const dirty = summarize(values);
    expect(dirty.stdev / clean.stdev).toBeGreaterThan(50);
    expect(Math.abs(dirty.robustSpread / clean.robustSpread - 1)).toBeLessThan(0.1);
  });

  it('stays quiet about relative spread around a zero mean', () => {
    expect(summarize([-1, 1]).warnings).toEqual([]);
  });
});

describe('seededRandom', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a1 = seededRandom(1);
    const a = Array.from({ length: 5 }, () => a1.next());
    const a2 = seededRandom(1);
    expect(Array.from({ length: 5 }, () => a2.next())).toEqual(a);
    const b = seededRandom(2);
    expect(Array.from({ length: 5 }, () => b.next())).not.toEqual(a);
  });

  it('is roughly uniform and its normals are standard', () => {
    const r = seededRandom(11);
    const n = 20_000;
    const u = Array.from({ length: n }, () => r.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((x, y) => x + y, 0) / n).toBeCloseTo(0.5, 2);
    const z = Array.from({ length: n }, () => r.normal());
    const mean = z.reduce((x, y) => x + y, 0) / n;
    const variance = z.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const ints = new Set(Array.from({ length: 1000 }, () => r.int(6)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
