import type { Distribution } from './collections.ts';

/**
 * The stalls the program saw against the pause of the same live set, both in device time.
 *
 * What a stall is: a collection inside the program comes when an allocation fails (threshold off),
 * so the heap is full of garbage; the sampler's tick that falls due during it runs once it ends and
 * the VM reaches its next pending check (µs later), and its gap less one half period is the stall
 * (±P/2). Its match is therefore not L (the live set with no garbage: its sweep stops at the live
 * set's highest block) but Lfull: gc.collect() timed with the program's live set still alive and
 * every free block taken by garbage, as `pause-vs-live` times a live set. Measured on v1.28.0 (the
 * emulated RP2040), the leaky loop's iterations with a collection were 5.5 ms longer than the rest
 * and Lfull of its live set 5.45 ms, while L was 1.4 ms: the difference is the sweep of the garbage.
 */

/** How far the stalls' median may stand from the same live set's pause (the issue's ±15%). */
export const STALL_TOLERANCE = 0.15;

export interface StallCheck {
  /** The stalls' median, µs (each ±resolutionUs). */
  stallP50Us: number;
  stalls: number;
  /** Lfull: the same live set's collection with the heap full of garbage, µs (device time). */
  sameLiveSetUs: number;
  /** L: the same live set's collection with no garbage, µs. */
  noGarbageUs: number;
  liveBytes: number;
  /** stallP50Us / sameLiveSetUs. */
  ratio: number;
  tolerance: number;
  within: boolean;
  /** Half the sampler's period: how well one stall is known. */
  resolutionUs: number;
}

export function stallCheck(
  stalls: Distribution | undefined,
  pause: { us: number; garbageUs: number; liveBytes: number; method: string } | undefined,
  periodUs: number,
): StallCheck | undefined {
  // Only a pause timed on the device's own clock is the same kind of figure as a stall.
  if (!stalls || !pause || pause.method !== 'ticks_us' || pause.garbageUs <= 0) return undefined;
  const ratio = stalls.p50 / pause.garbageUs;
  return {
    stallP50Us: stalls.p50,
    stalls: stalls.count,
    sameLiveSetUs: pause.garbageUs,
    noGarbageUs: pause.us,
    liveBytes: pause.liveBytes,
    ratio,
    tolerance: STALL_TOLERANCE,
    within: Math.abs(ratio - 1) <= STALL_TOLERANCE,
    resolutionUs: periodUs / 2,
  };
}
