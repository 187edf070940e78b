import type { RecordOf, ResultRecord } from './results-records.ts';

/**
 * The samples of a profile in time order, taken apart by what they are. The ring's entry index
 * orders them (each entry was written after the one before it), so lines that arrived out of order
 * or twice change nothing; entries that never arrived are counted, not guessed.
 */

export const CODE_TICK = 0;
export const CODE_FLUSH_BEGIN = 1;
export const CODE_FLUSH_END = 2;
export const CODE_LATE = 3;
/** The program began without the sampler (v = gc.mem_alloc()). */
export const CODE_BARE = 4;
/** The sampler started (v = gc.mem_alloc()): the bare phase, if any, ended. */
export const CODE_SAMPLING = 5;
export const CODE_MARK = 16;

export interface TimedEntry {
  index: number;
  code: number;
  /** µs since the probe started. */
  t: number;
  /** gc.mem_alloc(), or -1 where it was not read. */
  v: number;
}

/** A flush: the probe printing its ring, with the heap before and after it. */
export interface FlushWindow {
  begin: number;
  end: number;
  allocBefore: number;
  allocAfter: number;
}

export interface Timeline {
  entries: TimedEntry[];
  /** Timer ticks that read the heap (code 0), in order. */
  ticks: TimedEntry[];
  /** Timer ticks that came late (code 3; v = µs since the tick before), in order. */
  late: TimedEntry[];
  /** Every entry that read gc.mem_alloc(), in order. */
  readings: TimedEntry[];
  flushes: FlushWindow[];
  /** Mark entries by mark id. */
  marks: Map<number, TimedEntry[]>;
  names: Map<number, string>;
  /** Entry indices below the highest one received that never arrived. */
  missing: number;
  /** The stretch the program ran without the sampler, where there was one (µs since start). */
  bare?: { start: TimedEntry; end: TimedEntry | undefined };
}

export function timelineOf(records: readonly ResultRecord[]): Timeline {
  const byIndex = new Map<number, TimedEntry>();
  const names = new Map<number, string>();
  for (const r of records) {
    if (r.type === 'mark') names.set(r.id, r.name);
    if (r.type !== 'samples') continue;
    r.entries.forEach(([code, t, v], i) => byIndex.set(r.n + i, { index: r.n + i, code, t, v }));
  }
  const entries = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const last = entries.at(-1)?.index ?? -1;
  const first = entries[0]?.index ?? 0;
  const missing = entries.length === 0 ? 0 : last - first + 1 - entries.length;
  const start = entries.find((e) => e.code === CODE_BARE);
  const timeline = fromEntries(entries, names, missing);
  return start
    ? { ...timeline, bare: { start, end: entries.find((e) => e.code === CODE_SAMPLING) } }
    : timeline;
}

/** The timeline from `t` µs on (the sampled part of a run that began bare). */
export function since(timeline: Timeline, t: number): Timeline {
  return fromEntries(
    timeline.entries.filter((e) => e.t >= t),
    timeline.names,
    timeline.missing,
  );
}

/** The part of the timeline in [from, to) µs. */
export function between(timeline: Timeline, from: number, to: number): Timeline {
  return fromEntries(
    timeline.entries.filter((e) => e.t >= from && e.t < to),
    timeline.names,
    0,
  );
}

function fromEntries(entries: TimedEntry[], names: Map<number, string>, missing: number): Timeline {
  const marks = new Map<number, TimedEntry[]>();
  const flushes: FlushWindow[] = [];
  let open: TimedEntry | undefined;
  for (const e of entries) {
    if (e.code >= CODE_MARK) {
      const id = e.code - CODE_MARK;
      const list = marks.get(id);
      if (list) list.push(e);
      else marks.set(id, [e]);
    } else if (e.code === CODE_FLUSH_BEGIN) open = e;
    // A flush ends at the first end entry after its beginning (a new beginning replaces a lost end).
    else if (e.code === CODE_FLUSH_END && open) {
      flushes.push({ begin: open.t, end: e.t, allocBefore: open.v, allocAfter: e.v });
      open = undefined;
    }
  }
  return {
    entries,
    ticks: entries.filter((e) => e.code === CODE_TICK),
    late: entries.filter((e) => e.code === CODE_LATE),
    // (the bare phase's first reading is no sample of the sampled run: it is read apart)
    readings: entries.filter((e) => e.v >= 0 && e.code !== CODE_LATE && e.code !== CODE_BARE),
    flushes,
    marks,
    names,
    missing,
  };
}

/** The record of one type, if the results hold it (the last one, should there be several). */
export function lastOf<T extends ResultRecord['type']>(
  records: readonly ResultRecord[],
  type: T,
): RecordOf<T> | undefined {
  for (let i = records.length - 1; i >= 0; i--)
    if (records[i]!.type === type) return records[i] as RecordOf<T>;
  return undefined;
}
