import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseObjectSpec } from './object-sizes.ts';
import { fitPauseCost, predictPause, predictPauseCurve, type PauseSample } from './pause-cost.ts';
import { rp2Config } from './port-config.ts';
import { buildLiveSet } from './scenario.ts';

const TRUE = { c0: 12, c_mark: 0.004, c_sweep: 0.02, c_rescan: 0.01 };

/** Work counters of real model collections, with pauses from known coefficients plus a fixed wobble. */
function samples(lives: number[], coefficients = TRUE): PauseSample[] {
  return lives.map((live, i) => {
    const { heap } = buildLiveSet({
      config: rp2Config(),
      live,
      object: parseObjectSpec('bytearray(48)'),
      shape: 'list',
    });
    const { work } = heap.collectNow('explicit');
    return { ...work, pauseUs: predictPause(coefficients, work) + 0.3 * Math.sin(7 * i) };
  });
}

function allFiniteOrNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFiniteOrNull);
  if (typeof value === 'object') return Object.values(value).every(allFiniteOrNull);
  return true;
}

describe('fitPauseCost', () => {
  it('recovers the coefficients behind model work counters, with R² and standard errors', () => {
    const fit = fitPauseCost(samples([0, 10, 30, 60, 64, 65, 80, 150, 300, 600, 1000, 1500, 2000]));
    expect(fit.estimated).toEqual({ c0: true, c_mark: true, c_sweep: true, c_rescan: true });
    expect(fit.coefficients.c_mark).toBeCloseTo(TRUE.c_mark, 3);
    expect(fit.coefficients.c_rescan).toBeCloseTo(TRUE.c_rescan, 3);
    expect(fit.r2!).toBeGreaterThan(0.999);
    expect(fit.residuals).toHaveLength(13);
    expect(Math.max(...fit.residuals.map(Math.abs))).toBeLessThan(1);
    expect(fit.standardErrors.c_mark!).toBeGreaterThan(0);
    expect(fit.degreesOfFreedom).toBe(13 - 4);
  });

  it('fixes an unidentifiable coefficient at 0 and says why, instead of returning NaN', () => {
    // Live sets under 65 never overflow the mark stack: nothing is rescanned.
    const fit = fitPauseCost(samples([0, 5, 10, 20, 30, 40, 50, 64]));
    expect(fit.estimated.c_rescan).toBe(false);
    expect(fit.coefficients.c_rescan).toBe(0);
    expect(fit.standardErrors.c_rescan).toBeNull();
    expect(fit.notes).toContain('c_rescan not estimated: blocks rescanned is 0 in every sample');
    expect(allFiniteOrNull(fit)).toBe(true);
  });

  it('drops a predictor collinear with those before it (constant blocks swept)', () => {
    const fit = fitPauseCost(
      [100, 200, 300, 400, 500].map((words, i) => ({
        wordsScanned: words,
        blocksSwept: 50,
        blocksRescanned: 0,
        pauseUs: 3 + 0.01 * words + i * 0.01,
      })),
    );
    expect(fit.estimated).toEqual({ c0: true, c_mark: true, c_sweep: false, c_rescan: false });
    expect(fit.notes[0]).toMatch(/c_sweep not estimated: blocks swept is a linear combination/);
    expect(fit.coefficients.c_mark).toBeCloseTo(0.01, 2);
    expect(allFiniteOrNull(fit)).toBe(true);
  });

  it('gives no standard errors when no degree of freedom is left, and no R² without variance', () => {
    const exact = fitPauseCost([
      { wordsScanned: 1, blocksSwept: 0, blocksRescanned: 0, pauseUs: 2 },
      { wordsScanned: 3, blocksSwept: 0, blocksRescanned: 0, pauseUs: 4 },
    ]);
    expect(exact.standardErrors).toEqual({ c0: null, c_mark: null, c_sweep: null, c_rescan: null });
    expect(exact.coefficients.c_mark).toBeCloseTo(1, 9);
    const flat = fitPauseCost([{ wordsScanned: 0, blocksSwept: 0, blocksRescanned: 0, pauseUs: 5 }]);
    expect(flat.r2).toBeNull();
    expect(flat.coefficients.c0).toBe(5);
    expect(allFiniteOrNull(flat)).toBe(true);
  });

  it('rejects no samples and non-finite values with an InputError', () => {
    expect(() => fitPauseCost([])).toThrow(InputError);
    expect(() =>
      fitPauseCost([{ wordsScanned: Number.NaN, blocksSwept: 0, blocksRescanned: 0, pauseUs: 1 }]),
    ).toThrow(InputError);
  });
});

describe('predictPauseCurve', () => {
  it('shows the step where a list of live objects starts to overflow the mark stack', () => {
    const points = [60, 64, 65, 70].map((live) => {
      const { heap } = buildLiveSet({
        config: rp2Config(),
        live,
        object: parseObjectSpec('bytearray(8)'),
        shape: 'list',
      });
      return { live, work: heap.collectNow('explicit').work };
    });
    const curve = predictPauseCurve(TRUE, points).map((p) => p.pauseUs);
    const steps = curve.slice(1).map((p, i) => p - curve[i]!);
    // The 64 → 65 step carries a whole-heap rescan (15368 blocks × c_rescan ≈ 154 µs).
    expect(steps[1]!).toBeGreaterThan(100);
    expect(steps[0]!).toBeLessThan(5);
    expect(steps[2]!).toBeLessThan(5);
  });
});
