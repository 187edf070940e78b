import { describe, expect, it } from 'vitest';
import { distribution, findCollections, flushTime, histogram, otherLateness } from './collections.ts';
import type { ResultRecord } from './results-records.ts';
import { timelineOf } from './timeline.ts';

/** Ring entries as the probe writes them: [code, t µs, v]. */
type Entry = [number, number, number];

const samples = (entries: Entry[]): ResultRecord[] => [{ type: 'samples', n: 0, entries }];

/**
 * A 100 Hz sampler (10 ms period) over a program allocating 160 B per tick; a collection at tick
 * `at` frees everything but 1000 B and holds the next tick back by `stallUs`.
 */
function sawtooth(ticks: number, collectAt: number[], stallUs: number): Entry[] {
  const out: Entry[] = [];
  let alloc = 1000;
  let t = 0;
  for (let k = 0; k < ticks; k++) {
    if (collectAt.includes(k)) {
      alloc = 1000;
      t += stallUs;
    }
    out.push([0, t, alloc]);
    alloc += 160;
    t += 10_000;
  }
  return out;
}

describe('collections from gc.mem_alloc() drops', () => {
  it('finds each drop and measures its stall from the late tick after it', () => {
    const timeline = timelineOf(samples(sawtooth(100, [30, 70], 4_000)));
    const found = findCollections(timeline, 10_000);
    expect(found.map((c) => c.t)).toEqual([30 * 10_000 + 4_000, 70 * 10_000 + 8_000]);
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
    expect(findCollections(timelineOf(samples(entries)), 10_000)).toEqual([]);
    expect(findCollections(timelineOf(samples(entries)), 10_000, 16)).toHaveLength(1);
  });

  it('takes the probe’s own flush out of the stall, and says when a drop fell inside a flush', () => {
    const entries: Entry[] = [
      [0, 0, 9000],
      [0, 10_000, 9160],
      [1, 10_500, 9160], // flush begins
      [2, 13_500, 9900], // ends: 3 ms, 740 B of its own
      [0, 23_000, 1000], // a collection: 13 ms interval = 10 ms period + 3 ms flush
      [0, 33_000, 1160],
      [1, 33_100, 1160],
      [2, 36_000, 900], // a drop inside a flush
      [0, 46_000, 1000],
    ];
    const timeline = timelineOf(samples(entries));
    expect(timeline.flushes).toHaveLength(2);
    expect(flushTime(timeline.flushes, 10_000, 23_000)).toBe(3_000);
    const found = findCollections(timeline, 10_000);
    expect(found[0]!.stallUs).toBe(0);
    expect(found[1]!.inFlush).toBe(true);
  });

  it('has no stall without a timer (marks only)', () => {
    const entries: Entry[] = [
      [16, 0, 9000],
      [16, 10_000, 1000],
    ];
    expect(findCollections(timelineOf(samples(entries)), 0)[0]!.stallUs).toBeNull();
  });

  it('keeps lateness away from collections apart: the program’s own long stretches', () => {
    const entries = sawtooth(50, [20], 4_000);
    entries[40]![1] += 2_500; // one tick 2.5 ms late with no drop
    for (let k = 41; k < 50; k++) entries[k]![1] += 2_500;
    const timeline = timelineOf(samples(entries));
    const late = otherLateness(timeline, 10_000, findCollections(timeline, 10_000));
    expect(Math.max(...late)).toBe(2_500);
    expect(late).not.toContain(4_000);
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
