import { readFileSync } from 'node:fs';
import { linearRegression } from 'simple-statistics';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CALIBRATION_FILE,
  parseCalibration,
  pauseUs,
  usPerCount,
  workClockCalibration,
} from './work-clock.ts';
import {
  defaultProfileCounts,
  fit,
  fitPoints,
  freeBlockWork,
  goldenFigures,
} from '../../scripts/fit-work-clock.ts';
import {
  SAME_HEAP_BLOCKS,
  extendedTo,
  minimaxFit,
  setAside,
  worstError,
} from '../../scripts/work-clock-fit.ts';

describe('the work clock calibration', () => {
  it('refuses a file without the fields the conversion needs', () => {
    const text = readFileSync(CALIBRATION_FILE, 'utf8');
    const broken = JSON.parse(text) as Record<string, unknown>;
    delete broken['cyclesPerCount'];
    expect(() => parseCalibration(JSON.stringify(broken))).toThrow(/cyclesPerCount/);
  });

  it('the fit recovers a plane it is given: cycles per instruction, per table, and the fixed part', () => {
    // 0.8 cycles per instruction and 10 per table at 125 MHz, plus 500 µs.
    const points = [
      [1e4, 100],
      [1e5, 9000],
      [1e6, 3000],
      [3e6, 15000],
    ].map(([vmCounts, vmTables], i) => ({
      config: `c${i}`,
      vmCounts: vmCounts!,
      vmTables: vmTables!,
      picoUs: 500 + vmCounts! * 0.0064 + vmTables! * 0.08,
    }));
    const c = fit(points, new Map(), { instructions: 30 }, '2026-01-01');
    expect(c.cyclesPerCount).toBeCloseTo(0.8, 3);
    expect(c.cyclesPerTable).toBeCloseTo(10, 1);
    expect(c.collectionFixedUs).toBeCloseTo(500, 0);
    expect(usPerCount(c)).toBeCloseTo(0.0064, 5);
    expect(c.provenance.worstRelativeError).toBeLessThan(1e-3);
    expect(c.provenance.setAside).toEqual([]);
  });

  it('makes the largest relative error least, which least squares does not', () => {
    const points = [
      { config: 'a', vmCounts: 1000, vmTables: 10, picoUs: 100 },
      { config: 'b', vmCounts: 2000, vmTables: 50, picoUs: 200 },
      { config: 'c', vmCounts: 3000, vmTables: 20, picoUs: 390 },
      { config: 'd', vmCounts: 8000, vmTables: 90, picoUs: 800 },
    ];
    let grid = Infinity;
    for (let a = 0; a <= 100; a += 2)
      for (let b = 0.05; b <= 0.15; b += 0.002)
        for (let c = 0; c <= 2; c += 0.05) grid = Math.min(grid, worstError({ a, b, c }, points));
    const best = minimaxFit(points);
    expect(best.worst).toBeCloseTo(worstError(best, points), 12);
    expect(best.worst).toBeLessThanOrEqual(grid + 1e-9);
    const ls = linearRegression(points.map((p) => [p.vmCounts, p.picoUs]));
    expect(worstError({ a: ls.b, b: ls.m, c: 0 }, points)).toBeGreaterThan(best.worst + 0.01);
  });

  it("sets aside a configuration the build swept far past the virtual Pico's sweep, and prices the extra walk", () => {
    const points = [
      { config: 'same', vmCounts: 1e5, vmTables: 1000, picoUs: 700 },
      { config: 'past', vmCounts: 1e5, vmTables: 1000, picoUs: 1300 },
    ];
    const extents = new Map([
      ['same', 1000 + SAME_HEAP_BLOCKS],
      ['past', 3000],
    ]);
    expect(setAside(points, extents)).toEqual([{ config: 'past', picoSweptTo: 3000, vmSweptTo: 1000 }]);
    expect(extendedTo(points[1]!, 3000, { instructions: 30 })).toEqual({
      vmCounts: 1e5 + 2000 * 30,
      vmTables: 3000,
    });
  });
});

/**
 * The shipped calibration against real firmware: the golden v1.28.0 recording's pauses (replayed)
 * and this VM's counted work for the same configurations of the default profile.
 */
describe('the virtual Pico against a stock v1.28.0 build, configuration by configuration', () => {
  let golden: ReturnType<typeof goldenFigures>;
  let counts: ReturnType<typeof defaultProfileCounts>;
  beforeAll(() => {
    golden = goldenFigures();
    counts = defaultProfileCounts();
  }, 180_000);

  it('was fitted to the counts this VM gives (else refit: npx tsx scripts/fit-work-clock.ts --write)', () => {
    const { fittedTo, setAside: aside } = workClockCalibration().provenance;
    const shipped = [...fittedTo, ...aside];
    expect(shipped.map((p) => [p.config, p.vmCounts, p.vmTables])).toEqual(
      shipped.map((p) => [p.config, counts.get(p.config)?.vmCounts, counts.get(p.config)?.vmTables]),
    );
    expect(shipped.map((p) => [p.config, p.picoUs])).toEqual(
      shipped.map((p) => [p.config, golden.pauses.get(p.config)]),
    );
  });

  // Issue 15: within ±15% of the build's pause at every configuration where the two hold the same heap.
  const GOAL = 0.15;

  it('every configuration where both sweep the same heap: the virtual Pico within ±15% of the real pause', () => {
    const c = workClockCalibration();
    const points = fitPoints(golden.pauses, counts);
    expect(points).toHaveLength(33);
    const aside = new Set(setAside(points, golden.highestUsed).map((s) => s.config));
    const same = points.filter((p) => !aside.has(p.config));
    // The false root of v1.28.0 keeps block 3088 alive: it reaches above the live sets of n ≤ 500 only.
    expect([...aside].sort()).toEqual([
      'heap-position/n=0/packed',
      'pause-vs-live/n=0',
      'pause-vs-live/n=250',
      'pause-vs-live/n=500',
    ]);
    const errors = same.map((p) => ({
      config: p.config,
      error: pauseUs(c, p.vmCounts, p.vmTables) / p.picoUs - 1,
    }));
    for (const { config, error } of errors) expect(Math.abs(error), config).toBeLessThanOrEqual(GOAL);
    expect(Math.max(...errors.map((e) => Math.abs(e.error)))).toBeCloseTo(c.provenance.worstRelativeError, 6);
  });

  it('where the build swept past the live set, the same pricing of the sweep it really did is within ±15% too', () => {
    const c = workClockCalibration();
    const points = fitPoints(golden.pauses, counts);
    const freeBlock = freeBlockWork(counts);
    for (const s of setAside(points, golden.highestUsed)) {
      const p = points.find((q) => q.config === s.config)!;
      const atPicoSweep = extendedTo(p, s.picoSweptTo, freeBlock);
      const error = pauseUs(c, atPicoSweep.vmCounts, atPicoSweep.vmTables) / p.picoUs - 1;
      expect(Math.abs(error), s.config).toBeLessThanOrEqual(GOAL);
      // ...and the virtual Pico's own pause is shorter: its heap holds no such object.
      expect(pauseUs(c, p.vmCounts, p.vmTables), s.config).toBeLessThan(p.picoUs);
    }
  });
});
