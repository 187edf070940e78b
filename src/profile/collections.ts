import { quantile } from '../analysis/stats.ts';
import type { FlushWindow, TimedEntry, Timeline } from './timeline.ts';

/**
 * Collections seen in the samples. gc.mem_alloc() only falls when memory is freed, and in a running
 * program that is a collection (an explicit free, e.g. a list moved by realloc, frees a block or
 * two: drops smaller than `minDropBytes` are not counted).
 *
 * The stall: the timer's callback is scheduled, and nothing scheduled runs inside gc_collect, so
 * the tick that falls due during a collection runs when it ends. The probe records such a late tick
 * with the µs since the tick before it (`gap`). With ticks due every P µs (rp2's hardware alarm,
 * no drift), a collection of D µs that delays a tick gives gap − P ≤ D ≤ gap: the stall is taken as
 * gap − P/2, within ±P/2, after the probe's own busy time in that gap (a flush, a heap read) is
 * taken out.
 */

export interface Collection {
  /** µs since start of the reading that showed the drop. */
  t: number;
  /** Bytes the drop freed (at least: what was allocated in the same interval is not known). */
  freedBytes: number;
  /** The pause (±P/2), µs; null where no late tick fell between the two readings. */
  stallUs: number | null;
  /** The drop fell inside one of the probe's flushes (its print allocated into a collection). */
  inFlush: boolean;
}

export const MIN_DROP_BYTES = 256;

/** How the late ticks are read: the timer's period, and what one heap read costs (µs). */
export interface TickTiming {
  periodUs: number;
  readUs: number;
}

export function findCollections(
  timeline: Timeline,
  timing: TickTiming | undefined,
  minDropBytes = MIN_DROP_BYTES,
): Collection[] {
  const out: Collection[] = [];
  const { readings, flushes } = timeline;
  for (let i = 1; i < readings.length; i++) {
    const before = readings[i - 1]!;
    const after = readings[i]!;
    if (before.v - after.v < minDropBytes) continue;
    // (flushes are few: one a second)
    const inFlush = flushes.some((f) => f.begin <= before.t && after.t <= f.end);
    out.push({
      t: after.t,
      freedBytes: before.v - after.v,
      stallUs: timing ? stallBetween(timeline, before, after, timing) : null,
      inFlush,
    });
  }
  return out;
}

/** The longest stall a late tick in (before, after] shows, or null if none came late. */
function stallBetween(
  timeline: Timeline,
  before: TimedEntry,
  after: TimedEntry,
  timing: TickTiming,
): number | null {
  let worst: number | null = null;
  for (const tick of lateIn(timeline.late, before.t, after.t)) {
    const stall = stallOf(timeline, tick, timing);
    worst = Math.max(worst ?? stall, stall);
  }
  return worst;
}

/**
 * A late tick's stall, bracketed. The tick was due at most one period after the tick before it
 * ran, and the collection began before it was due: stall ≥ gap − P. The collection began after the
 * program's last sign of life in the gap (a mark() call, which the probe timestamps): stall ≤ the
 * time since then (else ≤ gap). The middle of the two is taken. A loop paced in whole ms tends to
 * collect at the same phase of the tick every time, so the middle of [gap − P, gap] alone read the
 * leaky loop's stalls 14% long on v1.28.0; its marks narrow the bracket to its ~0.5 ms of work.
 */
export function stallOf(timeline: Timeline, tick: TimedEntry, timing: TickTiming): number {
  const gap = probeFreeGap(timeline, tick, timing.readUs);
  const from = tick.t - tick.v;
  let alive = from;
  for (const list of timeline.marks.values())
    for (const m of list) if (m.t > alive && m.t < tick.t) alive = m.t;
  const sinceAlive = alive === from ? gap : tick.t - alive - flushTime(timeline.flushes, alive, tick.t);
  const high = Math.max(0, Math.min(gap, sinceAlive));
  const low = Math.min(high, Math.max(0, gap - timing.periodUs));
  return (low + high) / 2;
}

/** A late tick's gap less the probe's own busy time in it: its flushes, a heap read that began it. */
export function probeFreeGap(timeline: Timeline, tick: TimedEntry, readUs: number): number {
  const from = tick.t - tick.v;
  const reading = timeline.ticks.some((r) => r.t === from) ? readUs : 0;
  return tick.v - flushTime(timeline.flushes, from, tick.t) - reading;
}

/** The late ticks with from < t ≤ to (ticks are in time order). */
function lateIn(late: readonly TimedEntry[], from: number, to: number): TimedEntry[] {
  let lo = 0;
  let hi = late.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (late[mid]!.t <= from) lo = mid + 1;
    else hi = mid;
  }
  const out: TimedEntry[] = [];
  for (let k = lo; k < late.length && late[k]!.t <= to; k++) out.push(late[k]!);
  return out;
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

/**
 * Late ticks away from collections, each as its gap less the probe's busy time less one period
 * (the least it can have been held up): the program's own stretches without a yield (a long C
 * call), and anything else that held the VM. Those that are only the probe's own are left out.
 */
export function otherLateness(
  timeline: Timeline,
  timing: TickTiming,
  collections: readonly Collection[],
  readings: readonly TimedEntry[] = timeline.readings,
): number[] {
  const collectionSpans: [number, number][] = [];
  for (const c of collections) {
    const at = readings.findIndex((r) => r.t === c.t);
    if (at > 0) collectionSpans.push([readings[at - 1]!.t, c.t]);
  }
  const out: number[] = [];
  for (const tick of timeline.late) {
    if (collectionSpans.some(([from, to]) => tick.t > from && tick.t <= to)) continue;
    const held = probeFreeGap(timeline, tick, timing.readUs) - timing.periodUs;
    if (held > 0) out.push(held);
  }
  return out;
}
