import { describe, expect, it } from 'vitest';
import { distribution } from './collections.ts';
import { stallCheck } from './stall-check.ts';

describe('stallCheck', () => {
  const pause = { us: 2783, garbageUs: 5821, liveBytes: 19040, method: 'ticks_us' };

  it('holds the stalls’ median against the same live set collected with the heap full of garbage, not L', () => {
    const check = stallCheck(distribution([5420, 6427, 5246, 6732]), pause, 2000)!;
    expect(check.stallP50Us).toBe((5420 + 6427) / 2);
    expect(check.sameLiveSetUs).toBe(5821);
    expect(check.noGarbageUs).toBe(2783);
    expect(check.ratio).toBeCloseTo(5923.5 / 5821, 6);
    expect(check.within).toBe(true);
    expect(check.resolutionUs).toBe(1000);
  });

  it('says when the median stands outside ±15%', () => {
    expect(stallCheck(distribution([6800]), pause, 2000)!.within).toBe(false);
    expect(stallCheck(distribution([4900]), pause, 2000)!.within).toBe(false);
    expect(stallCheck(distribution([6650]), pause, 2000)!.within).toBe(true);
  });

  it('compares nothing without stalls, or with a pause not timed on the device’s clock', () => {
    expect(stallCheck(undefined, pause, 2000)).toBeUndefined();
    expect(stallCheck(distribution([5900]), { ...pause, method: 'work-clock' }, 2000)).toBeUndefined();
    expect(stallCheck(distribution([5900]), undefined, 2000)).toBeUndefined();
  });
});
