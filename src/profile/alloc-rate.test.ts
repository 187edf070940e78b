import { describe, expect, it } from 'vitest';
import { allocRate } from './alloc-rate.ts';
import { timelineOf } from './timeline.ts';

describe('allocation rate', () => {
  it('sums the rises between readings, leaving out the probe’s flushes and the collections', () => {
    const timeline = timelineOf([
      {
        type: 'samples',
        n: 0,
        entries: [
          [0, 0, 1000],
          [0, 250_000, 3000], // +2000
          [1, 250_100, 3000],
          [2, 251_000, 3800], // the flush: +800, the probe's
          [0, 500_000, 5800], // +2000
          [0, 750_000, 200], // a collection: counts nothing, nor does its 0.25 s
          [0, 1_000_000, 2200], // +2000
        ],
      },
    ]);
    const rate = allocRate(timeline)!;
    expect(rate.programBytes).toBe(6000);
    expect(rate.probeBytes).toBe(800);
    // 6000 B in the 0.75 s seen: the interval with the collection hid what it allocated.
    expect(rate.bytesPerSecond).toBe(8000);
    expect(rate.probeBytesPerSecond).toBeCloseTo(800 / 0.75, 9);
  });

  it('gives R per window', () => {
    const entries: [number, number, number][] = [];
    for (let k = 0; k <= 40; k++) entries.push([0, k * 100_000, k < 20 ? k * 100 : 2000 + (k - 20) * 400]);
    const rate = allocRate(timelineOf([{ type: 'samples', n: 0, entries }]), 1_000_000)!;
    expect(rate.series.map((p) => Math.round(p.bytesPerSecond))).toEqual([900, 1000, 3700, 4000]);
  });

  it('needs two readings', () => {
    expect(allocRate(timelineOf([{ type: 'samples', n: 0, entries: [[0, 0, 100]] }]))).toBeUndefined();
  });
});
