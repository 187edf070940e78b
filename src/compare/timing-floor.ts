import { formatNumber } from '../format.ts';
import type { Report } from '../report/schema.ts';
import type { MetricComparison } from './comparison.ts';

/**
 * Timing floor of a host-timed device, µs. The virtual Pico's pause on `--clock host` is a host clock
 * reading minus a boot-time calibration; in A/A runs on a loaded two-core host, pauses of 4–20 µs
 * moved by 1.5–9 µs and were flagged by the rank test (bench/false-alarm.ts, before the work clock).
 * 10 µs sits above that.
 */
export const HOST_TIMED_FLOOR_US = 10;

/** The smallest change in a duration that one device's clock can show. */
export function timingFloorUs(device: Report['device']): number {
  const caps = device.capabilities;
  return caps.collectTiming === 'host-timed' ? HOST_TIMED_FLOOR_US : 2 * caps.ticksUsResolutionUs;
}

/** Durations, in µs per unit: the timing floor applies to them, and one value a side is never exact. */
export const MICROSECONDS_PER: Readonly<Record<string, number>> = {
  ns: 0.001,
  µs: 1,
  us: 1,
  ms: 1000,
  s: 1e6,
};

/** A duration whose medians moved by less than the clock can resolve has not changed. */
export function applyFloor(metrics: MetricComparison[], floorUs: number): MetricComparison[] {
  return metrics.map((m) => {
    const scale = MICROSECONDS_PER[m.unit];
    if (scale === undefined || m.method !== 'statistical') return m;
    const out = { ...m, floorUs };
    const movedUs = Math.abs(m.current.median - m.baseline.median) * scale;
    if ((m.verdict === 'regression' || m.verdict === 'improvement') && movedUs <= floorUs) {
      return {
        ...out,
        verdict: 'no-change' as const,
        reason: `${m.reason}, but the medians differ by ${formatNumber(movedUs)} µs, within the ${formatNumber(floorUs)} µs timing floor`,
      };
    }
    return out;
  });
}
