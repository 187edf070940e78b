import { describe, expect, it } from 'vitest';
import { markGaps } from './mark-gaps.ts';
import type { ResultRecord } from './results-records.ts';
import { samplerCost } from './sampler-cost.ts';
import { since, timelineOf } from './timeline.ts';

/**
 * A program marked every 10 ms allocating 800 B an iteration: 2 s without the sampler (the first
 * mark's name announced at 100–200 µs, its heap read there), then every 10.5 ms with it.
 */
function records(): ResultRecord[] {
  const entries: [number, number, number][] = [
    [4, 0, 10_000],
    [1, 100, 10_000],
    [2, 200, 10_100],
  ];
  let t = 300;
  for (let k = 0; k < 200; k++, t += 10_000) entries.push([16, t, -1]);
  const end = 10_100 + 200 * 800;
  entries.push([5, t, end]);
  for (let k = 0; k < 100; k++, t += 10_500) entries.push([16, t, -1], [0, t + 1, end + k * 800]);
  return [
    { type: 'mark', id: 0, name: 'control' },
    { type: 'samples', n: 0, entries },
  ];
}

describe('samplerCost', () => {
  const timeline = timelineOf(records());
  const sampled = since(timeline, timeline.bare!.end!.t);

  it('compares the loop and R without the sampler (its first seconds) with them sampled after', () => {
    const cost = samplerCost(timeline, markGaps(sampled), 76_000, 200_000_000, undefined)!;
    expect(cost.bareUs).toBe(2_000_300);
    expect(cost.mark).toBe('control');
    expect(cost.withoutGapP50Us).toBe(10_000);
    expect(cost.withGapP50Us).toBe(10_500);
    expect(cost.withoutRateHz).toBeCloseTo(100, 6);
    // 200 iterations × 800 B from the first mark's reading (200 µs) to the sampler's start.
    expect(cost.withoutBytesPerSecond).toBeCloseTo((160_000 * 1e6) / 2_000_100, 6);
    expect(cost.notShown).toEqual([]);
  });

  it('shows no R without the sampler where the heap could have filled (and collected) in the bare phase', () => {
    const cost = samplerCost(timeline, markGaps(sampled), 76_000, 150_000, undefined)!;
    expect(cost.withoutBytesPerSecond).toBeUndefined();
    expect(cost.notShown.join()).toContain('a collection may have come');
  });

  it('says nothing of a run without a bare phase', () => {
    const plain = timelineOf([
      {
        type: 'samples',
        n: 0,
        entries: [
          [0, 0, 100],
          [0, 10, 200],
        ],
      },
    ]);
    expect(samplerCost(plain, [], 1, 1, undefined)).toBeUndefined();
  });
});
