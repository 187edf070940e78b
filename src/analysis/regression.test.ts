import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { seededRandom } from '../prng.ts';
import { judgeChange, repetitionsNeeded } from './regression.ts';

/** Pause-like samples: lognormal around a median, `spread` ≈ coefficient of variation. */
function pauses(seed: number, n: number, median: number, spread: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => median * Math.exp(spread * r.normal()));
}

describe('judgeChange', () => {
  it('does not flag A/A pairs: false alarms over 200 seeded pairs stay rare', () => {
    // Same distribution twice, 10 repetitions, 10% spread. Measured when written: 0/200 with the
    // default rule (and 1/200 at 20% spread).
    let alarms = 0;
    for (let t = 0; t < 200; t++) {
      const v = judgeChange(pauses(10_000 + 2 * t, 10, 1000, 0.1), pauses(10_001 + 2 * t, 10, 1000, 0.1), {
        resamples: 1000,
      });
      if (v.kind === 'regression') alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(2); // ≤ 1%
  });

  it('always flags a clear 30% slowdown (200 seeded pairs, 10 repetitions, 5% spread)', () => {
    for (let t = 0; t < 200; t++) {
      const v = judgeChange(pauses(20_000 + 2 * t, 10, 1000, 0.05), pauses(20_001 + 2 * t, 10, 1300, 0.05), {
        resamples: 1000,
      });
      expect(v.kind, v.reason).toBe('regression');
    }
  });

  it('needs both a large and a significant change', () => {
    // Significant but small: a tight +2% shift is real yet below the 5% threshold.
    const base = pauses(1, 20, 1000, 0.005);
    const small = pauses(2, 20, 1020, 0.005);
    const v = judgeChange(base, small);
    expect(v.significant).toBe(true);
    expect(v.kind).toBe('no-change');
    expect(v.reason).toMatch(/does not lie entirely beyond ±5%/);
    // The same shift with a 1% threshold is a regression.
    expect(judgeChange(base, small, { thresholdPercent: 1 }).kind).toBe('regression');
  });

  it('names the change, interval and p-value in its reason', () => {
    const v = judgeChange([100, 101, 99, 100, 102, 98], [150, 151, 149, 150, 152, 148]);
    expect(v.kind).toBe('regression');
    expect(v.change.estimate).toBeCloseTo(50, 10);
    expect(v.reason).toMatch(
      /^median \+50\.0% \(95% CI \[\+\d+\.\d%, \+\d+\.\d%\]; Mann–Whitney p = 0\.0022\)/,
    );
  });

  it('reports improvements, and respects higher-is-better metrics', () => {
    const big = [200, 201, 199, 200, 202, 198];
    const small = [100, 101, 99, 100, 102, 98];
    expect(judgeChange(big, small).kind).toBe('improvement');
    expect(judgeChange(big, small, { direction: 'higher-is-better' }).kind).toBe('regression');
    expect(judgeChange(small, big, { direction: 'higher-is-better' }).kind).toBe('improvement');
  });

  it('flags a deterministic change (e.g. an object size) once the test can decide', () => {
    expect(judgeChange([16, 16, 16, 16, 16], [32, 32, 32, 32, 32]).kind).toBe('regression');
    expect(judgeChange([16, 16, 16, 16, 16], [16, 16, 16, 16, 16]).kind).toBe('no-change');
  });

  it('says insufficient-data, never a silent pass, when the sizes cannot reach alpha', () => {
    const v = judgeChange([10, 11, 12], [20, 21, 22]);
    expect(v.kind).toBe('insufficient-data');
    expect(v.minimumPossibleP).toBeCloseTo(0.1, 12);
    expect(v.reason).toMatch(/3 vs 3 repetitions cannot reach p < 0.01 .*use at least 5 a side/);
    expect(repetitionsNeeded(0.01)).toBe(5);
    expect(repetitionsNeeded(0.002)).toBe(7);
  });

  it('keeps both summaries with their stability flags', () => {
    const v = judgeChange([100, 100, 100, 100, 300], [100, 101, 99, 100, 100]);
    expect(v.baseline.unstable).toBe(true);
    expect(v.current.unstable).toBe(false);
  });

  it('rejects a bad rule with InputError', () => {
    expect(() => judgeChange([1, 2], [1, 2], { alpha: 0 })).toThrow(InputError);
    expect(() => judgeChange([1, 2], [1, 2], { thresholdPercent: -1 })).toThrow(InputError);
    expect(() => repetitionsNeeded(2)).toThrow(InputError);
  });
});
