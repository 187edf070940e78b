import { describe, expect, it } from 'vitest';
import { markGaps } from './mark-gaps.ts';
import { timelineOf } from './timeline.ts';

describe('gaps per mark', () => {
  it('times each section from one call of its mark to the next, per name', () => {
    const entries: [number, number, number][] = [];
    for (let k = 0; k < 11; k++) {
      entries.push([16, k * 10_000, 1000 + k * 128]); // "control", every 10 ms, 128 B apart
      if (k % 2 === 0) entries.push([17, k * 10_000 + 3_000, -1]); // "send", every 20 ms, no heap read
    }
    entries.filter((e) => e[0] === 16).at(-1)![1] += 5_000; // one late "control"
    const gaps = markGaps(
      timelineOf([
        { type: 'mark', id: 0, name: 'control' },
        { type: 'mark', id: 1, name: 'send' },
        { type: 'samples', n: 0, entries },
      ]),
    );
    expect(gaps.map((g) => [g.name, g.calls])).toEqual([
      ['control', 11],
      ['send', 6],
    ]);
    const control = gaps[0]!;
    expect(control.gapUs!.p50).toBe(10_000);
    expect(control.gapUs!.max).toBe(15_000);
    expect(control.allocPerIteration).toBe(128);
    expect(gaps[1]!.gapUs!.p50).toBe(20_000);
    expect(gaps[1]!.rateHz).toBeCloseTo(50);
    expect(gaps[1]!.allocPerIteration).toBeUndefined();
  });
});
