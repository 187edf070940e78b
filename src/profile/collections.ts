import { quantile } from '../analysis/stats.ts';
import type { FlushWindow, TimedEntry, Timeline } from './timeline.ts';

/**
 * Collections seen in the samples. gc.mem_alloc() only falls when memory is freed, and in a running
 * program that is a collection (an explicit free, e.g. a list moved by realloc, frees a block or
 * two: drops smaller than `minDropBytes` are not counted). A soft timer's callback cannot run
 * while the collector runs (it is scheduled, and the VM runs nothing scheduled inside gc_collect),
 * so the tick that follows a collection arrives late by about the pause: its interval minus one
 * period, minus any flush of the probe's in the same interval. Resolution: one timer period.
 */

export interface Collection {
  /** µs since start of the reading that showed the drop. */
  t: number;
  /** Bytes the drop freed (at least: what was allocated in the same interval is not known). */
  freedBytes: number;
  /** The pause as the late tick measured it, µs; null where no tick brackets it. */
  stallUs: number | null;
  /** The drop fell inside one of the probe's flushes (its print allocated into a collection). */
  inFlush: boolean;
}

export const MIN_DROP_BYTES = 256;

export function findCollections(
  timeline: Timeline,
  periodUs: number,
  minDropBytes = MIN_DROP_BYTES,
): Collection[] {
  const out: Collection[] = [];
  const { readings, ticks, flushes } = timeline;
  for (let i = 1; i < readings.length; i++) {
    const before = readings[i - 1]!;
    const after = readings[i]!;
    if (before.v - after.v < minDropBytes) continue;
    const inFlush = flushes.some((f) => f.begin <= before.t && after.t <= f.end);
    // (flushes are few: a handful a second)
    out.push({
      t: after.t,
      freedBytes: before.v - after.v,
      stallUs: periodUs > 0 ? stallBetween(ticks, flushes, before, after, periodUs) : null,
      inFlush,
    });
  }
  return out;
}

/** The longest tick lateness in (before, after], less the flushes inside that interval. */
function stallBetween(
  ticks: readonly TimedEntry[],
  flushes: readonly FlushWindow[],
  before: TimedEntry,
  after: TimedEntry,
  periodUs: number,
): number | null {
  let worst: number | null = null;
  for (let k = Math.max(1, firstAfter(ticks, before.index)); k < ticks.length; k++) {
    const tick = ticks[k]!;
    const previous = ticks[k - 1]!;
    const late = tick.t - previous.t - periodUs - flushTime(flushes, previous.t, tick.t);
    worst = Math.max(worst ?? late, late);
    // The first tick at or after the reading that showed the drop closes the interval.
    if (tick.index >= after.index) break;
  }
  return worst === null ? null : Math.max(0, worst);
}

/** The position of the first tick whose entry index is above `index` (ticks are in index order). */
function firstAfter(ticks: readonly TimedEntry[], index: number): number {
  let lo = 0;
  let hi = ticks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ticks[mid]!.index <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** µs of the probe's flushes that lie within (from, to]. */
export function flushTime(flushes: readonly FlushWindow[], from: number, to: number): number {
  let sum = 0;
  for (const f of flushes) sum += Math.max(0, Math.min(f.end, to) - Math.max(f.begin, from));
  return sum;
}

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

export interface HistogramBin {
  fromUs: number;
  toUs: number;
  count: number;
}

/** Powers-of-two bins of µs (…, 256–512, 512–1024, …): pauses span orders of magnitude. */
export function histogram(values: readonly number[]): HistogramBin[] {
  const bins = new Map<number, number>();
  for (const v of values) {
    const low = v < 1 ? 0 : 2 ** Math.floor(Math.log2(v));
    bins.set(low, (bins.get(low) ?? 0) + 1);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([low, count]) => ({ fromUs: low, toUs: low === 0 ? 1 : low * 2, count }));
}

/** Tick lateness outside collections and flushes: the program's own long stretches without a yield. */
export function otherLateness(
  timeline: Timeline,
  periodUs: number,
  collections: readonly Collection[],
): number[] {
  const { ticks, flushes } = timeline;
  const out: number[] = [];
  const collectionTimes = new Set(collections.map((c) => c.t));
  for (let k = 1; k < ticks.length; k++) {
    const tick = ticks[k]!;
    if (collectionTimes.has(tick.t)) continue;
    const previous = ticks[k - 1]!;
    out.push(Math.max(0, tick.t - previous.t - periodUs - flushTime(flushes, previous.t, tick.t)));
  }
  return out;
}
