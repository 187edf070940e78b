import { describe, expect, it } from 'vitest';
import {
  distribution,
  findCollections,
  flushTime,
  histogram,
  otherLateness,
  stallOf,
} from './collections.ts';
import type { ResultRecord } from './results-records.ts';
import { timelineOf } from './timeline.ts';

/** Ring entries as the probe writes them: [code, t µs, v]. */
type Entry = [number, number, number];

const samples = (entries: Entry[]): ResultRecord[] => [{ type: 'samples', n: 0, entries }];

/** 500 Hz ticks (2 ms), the heap read every 10 ms. */
const TIMING = { periodUs: 2_000, readUs: 0 };

/**
 * Heap readings every 10 ms over a program allocating 160 B between them; a collection before
 * reading `at` frees all but 1000 B and holds the VM `stallUs`, so the tick due in it comes late.
 */
function sawtooth(readings: number, collectAt: number[], stallUs: number): Entry[] {
  const out: Entry[] = [];
  let alloc = 1000;
  let t = 0;
  for (let k = 0; k < readings; k++) {
    if (collectAt.includes(k)) {
      alloc = 1000;
      // The tick due 1 ms into the stall runs when it ends: its gap is the period plus the rest.
      out.push([3, t - 8_000 + 1_000 + stallUs, 2_000 + stallUs - 1_000]);
      t += stallUs;
    }
    out.push([0, t, alloc]);
    alloc += 160;
    t += 10_000;
  }
  return out;
}

describe('collections from gc.mem_alloc() drops', () => {
  it('finds each drop, and its stall from the late tick between the two readings (±P/2)', () => {
    const timeline = timelineOf(samples(sawtooth(100, [30, 70], 4_000)));
    const found = findCollections(timeline, TIMING);
    expect(found.map((c) => c.t)).toEqual([30 * 10_000 + 4_000, 70 * 10_000 + 8_000]);
    // gap 5000 µs: the stall is between 3000 and 5000 µs; taken as 4000.
    expect(found.map((c) => c.stallUs)).toEqual([4_000, 4_000]);
    expect(found[0]!.freedBytes).toBe(29 * 160);
    expect(found[0]!.inFlush).toBe(false);
  });

  it('ignores a drop smaller than a collection (a realloc that freed a block)', () => {
    const entries: Entry[] = [
      [0, 0, 5000],
      [0, 10_000, 4968],
      [0, 20_000, 5200],
    ];
    expect(findCollections(timelineOf(samples(entries)), TIMING)).toEqual([]);
    expect(findCollections(timelineOf(samples(entries)), TIMING, 16)).toHaveLength(1);
  });

  it('takes the probe’s own flush and heap reads out of a late tick’s gap', () => {
    const entries: Entry[] = [
      [0, 0, 9000],
      [1, 1_500, 9000], // a flush begins
      [2, 4_500, 9700], // and ends: 3 ms, 700 B of its own
      [3, 6_000, 5_000], // 5 ms since the tick before: the flush (3 ms), a period, ±1 ms
      [0, 10_000, 1000],
      [0, 20_000, 1160],
      [3, 29_000, 9_000], // late only by the heap read that began it (8 ms)
      [0, 30_000, 1320],
      [1, 40_100, 1320],
      [2, 46_000, 900], // a drop inside a flush
      [0, 50_000, 1000],
    ];
    const timeline = timelineOf(samples(entries));
    expect(timeline.flushes).toHaveLength(2);
    expect(flushTime(timeline.flushes, 0, 6_000)).toBe(3_000);
    const found = findCollections(timeline, { periodUs: 2_000, readUs: 8_000 });
    expect(found[0]!.stallUs).toBe(1_000);
    expect(found[1]!.inFlush).toBe(true);
    expect(otherLateness(timeline, { periodUs: 2_000, readUs: 8_000 }, found)).toEqual([]);
  });

  it('has no stall without a timer (marks only), nor where no tick came late', () => {
    const entries: Entry[] = [
      [16, 0, 9000],
      [16, 10_000, 1000],
    ];
    expect(findCollections(timelineOf(samples(entries)), undefined)[0]!.stallUs).toBeNull();
    expect(findCollections(timelineOf(samples(entries)), TIMING)[0]!.stallUs).toBeNull();
  });

  it('keeps late ticks away from collections apart: the program’s own stretches without a yield', () => {
    const entries = sawtooth(50, [20], 4_000);
    entries.push([3, 450_000, 4_500]); // held up 2.5 ms past its period, no drop near it
    entries.sort((a, b) => a[1] - b[1]);
    const timeline = timelineOf(samples(entries));
    expect(otherLateness(timeline, TIMING, findCollections(timeline, TIMING))).toEqual([2_500]);
  });
});

describe('stall statistics', () => {
  it('p50, p99 and max of a sample', () => {
    const d = distribution([1000, 2000, 3000, 4000, 100_000])!;
    expect(d.p50).toBe(3000);
    expect(d.max).toBe(100_000);
    expect(d.count).toBe(5);
    expect(d.p99).toBeGreaterThan(4000);
    expect(distribution([])).toBeUndefined();
  });

  it('bins pauses by powers of two', () => {
    expect(histogram([0.5, 700, 900, 1500, 5000])).toEqual([
      { fromUs: 0, toUs: 1, count: 1 },
      { fromUs: 512, toUs: 1024, count: 2 },
      { fromUs: 1024, toUs: 2048, count: 1 },
      { fromUs: 4096, toUs: 8192, count: 1 },
    ]);
  });
});

describe('stallOf: a stall bracketed by the tick grid and the program’s last mark', () => {
  // The tick before ran at 10 000; the late tick at 16 500 (gap 6500, period 2000): the stall is
  // between 4500 and 6500 µs.
  const late: Entry = [3, 16_500, 6_500];
  it('without a mark in the gap: the middle of [gap − P, gap]', () => {
    const tl = timelineOf(samples([[0, 10_000, 5000], late]));
    expect(stallOf(tl, tl.late[0]!, TIMING)).toBe(5_500);
  });
  it('a mark inside the gap narrows it: the collection began after the program’s last mark', () => {
    // mark() at 11 800: the stall is at most 4700 µs, and at least 4500.
    const tl = timelineOf(samples([[0, 10_000, 5000], [16, 11_800, -1], late]));
    expect(stallOf(tl, tl.late[0]!, TIMING)).toBe(4_600);
  });
});
