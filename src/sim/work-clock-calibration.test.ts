import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_FILE,
  parseCalibration,
  pauseUs,
  usPerCount,
  workClockCalibration,
} from './work-clock.ts';
import { REAL_FIRMWARE_PAUSES_US, fit, quickRunCounts } from './work-clock-fit.ts';

describe('the work clock calibration', () => {
  it('ships a checked first fit to the four real-firmware pauses, and says so', () => {
    const c = workClockCalibration();
    expect(c.provenance.fittedTo.map((p) => ({ live: p.live, picoUs: p.picoUs }))).toEqual(
      REAL_FIRMWARE_PAUSES_US,
    );
    expect(c.provenance.summary).toMatch(/four points only/);
    for (const point of c.provenance.fittedTo) {
      expect(point.fittedUs).toBe(Math.round(pauseUs(c, point.vmCounts)));
      // A first fit, not a model of everything: within 20% of each real pause it was fitted to.
      expect(Math.abs(point.fittedUs - point.picoUs) / point.picoUs).toBeLessThan(0.2);
    }
  });

  it('refuses a file without the fields the conversion needs', () => {
    const text = readFileSync(CALIBRATION_FILE, 'utf8');
    const broken = JSON.parse(text) as Record<string, unknown>;
    delete broken['cyclesPerCount'];
    expect(() => parseCalibration(JSON.stringify(broken))).toThrow(/cyclesPerCount/);
  });

  it('the fit recovers a line it is given: cycles per count and the fixed part', () => {
    // 0.8 cycles per count at 125 MHz = 0.0064 µs per count, plus 500 µs.
    const points = [0, 1e5, 1e6, 3e6].map((vmCounts, i) => ({
      live: i,
      vmCounts,
      picoUs: 500 + vmCounts * 0.0064,
    }));
    const c = fit(points, '2026-01-01');
    expect(c.cyclesPerCount).toBeCloseTo(0.8, 9);
    expect(c.collectionFixedUs).toBeCloseTo(500, 6);
    expect(usPerCount(c)).toBeCloseTo(0.0064, 12);
  });

  it('was fitted to the counts this VM gives in a quick run (else refit: npx tsx src/sim/work-clock-fit.ts --write)', () => {
    // The run is made with the identity conversion, so its pauses in ns are counts × 1000: past
    // 2^31 at 2000 live objects, which the virtual Pico must hand to Python unwrapped.
    const counts = quickRunCounts();
    const shipped = workClockCalibration().provenance.fittedTo;
    expect(shipped.map((p) => [p.live, counts.get(p.live)])).toEqual(
      shipped.map((p) => [p.live, p.vmCounts]),
    );
    expect(counts.get(2000)! * 1000).toBeGreaterThan(2 ** 31);
  }, 120_000);
});
