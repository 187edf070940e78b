import { MIN_DROP_BYTES } from './collections.ts';
import type { Timeline } from './timeline.ts';
import { CODE_FLUSH_BEGIN, CODE_FLUSH_END } from './timeline.ts';

/**
 * How fast the program allocates: the rises of gc.mem_alloc() between consecutive readings, summed.
 * The probe's own printing is left out exactly (a flush reads the heap before and after itself);
 * an interval with a collection in it counts nothing (what it allocated is hidden by the drop), and
 * its time is left out too: R is the rate over the time it was seen. (Counting that time as if
 * nothing was allocated read the leaky loop's R 7% low on v1.28.0, and its cadence as much off the
 * model's.) Small drops count against it.
 */

export interface AllocRate {
  /** Program bytes a second over the whole run. */
  bytesPerSecond: number;
  /** The probe's own garbage (its flushes' prints), bytes a second. */
  probeBytesPerSecond: number;
  /** Program bytes a second in windows of `windowUs`. */
  series: { tUs: number; bytesPerSecond: number }[];
  durationUs: number;
  programBytes: number;
  probeBytes: number;
}

export function allocRate(
  timeline: Timeline,
  windowUs = 1_000_000,
  minDropBytes = MIN_DROP_BYTES,
): AllocRate | undefined {
  const r = timeline.readings;
  if (r.length < 2) return undefined;
  const start = r[0]!.t;
  const durationUs = r.at(-1)!.t - start;
  if (durationUs <= 0) return undefined;
  let programBytes = 0;
  let probeBytes = 0;
  let hiddenUs = 0;
  const windows = new Map<number, number>();
  const hidden = new Map<number, number>();
  for (let i = 1; i < r.length; i++) {
    const rise = r[i]!.v - r[i - 1]!.v;
    // A collection's drop hides what was allocated; a smaller drop is an explicit free (a list
    // moved by realloc, a frame the VM put on the heap and took back) and counts against R, so R
    // is the heap's net filling rate, the one that decides when it is full.
    if (rise <= -minDropBytes) {
      const span = r[i]!.t - r[i - 1]!.t;
      hiddenUs += span;
      const w = Math.floor((r[i]!.t - start) / windowUs);
      hidden.set(w, (hidden.get(w) ?? 0) + span);
      continue;
    }
    if (rise === 0) continue;
    if (r[i - 1]!.code === CODE_FLUSH_BEGIN && r[i]!.code === CODE_FLUSH_END) {
      probeBytes += rise;
      continue;
    }
    programBytes += rise;
    const w = Math.floor((r[i]!.t - start) / windowUs);
    windows.set(w, (windows.get(w) ?? 0) + rise);
  }
  const series: AllocRate['series'] = [];
  const last = Math.floor(durationUs / windowUs);
  for (let w = 0; w <= last; w++) {
    const span = Math.min(windowUs, durationUs - w * windowUs) - (hidden.get(w) ?? 0);
    // A last sliver of a window says little: it is left out below a tenth of a window.
    if (span < windowUs / 10) continue;
    series.push({ tUs: start + w * windowUs, bytesPerSecond: ((windows.get(w) ?? 0) * 1e6) / span });
  }
  const seenUs = Math.max(1, durationUs - hiddenUs);
  return {
    bytesPerSecond: (programBytes * 1e6) / seenUs,
    probeBytesPerSecond: (probeBytes * 1e6) / seenUs,
    series,
    durationUs,
    programBytes,
    probeBytes,
  };
}
