import { describe, expect, it } from 'vitest';
import { analyseProfile } from './profile-analysis.ts';
import { renderProfileJUnit } from './profile-junit.ts';
import { RESULTS_FORMAT, type ResultRecord } from './results-records.ts';

/**
 * A constructed board profile: a 500 Hz sampler reading the heap every 10 ms, a loop marked
 * "control" every 10 ms allocating 800 B, a collection every 2 s that holds the VM 3 ms; after the program, L = 1000 µs
 * with 10 000 B live and 1100 µs with 1000 blocks of garbage (k = 0.1 µs per block).
 */
function boardRecords(): ResultRecord[] {
  const entries: [number, number, number][] = [];
  let alloc = 10_000;
  let t = 0;
  for (let k = 0; k < 600; k++) {
    if (k > 0 && k % 200 === 0) {
      alloc = 10_000;
      // The tick due 1 ms into the 3 ms collection runs when it ends: 4 ms after the tick before.
      entries.push([3, t - 7_000 + 3_000, 4_000]);
      t += 3_000;
    }
    entries.push([16, t + 100, -1]);
    entries.push([0, t, alloc]);
    alloc += 800;
    t += 10_000;
  }
  const header: ResultRecord = {
    type: 'header',
    format: RESULTS_FORMAT,
    program: 'app.py',
    seconds: 6,
    device: 'a board',
    deviceKind: 'board',
    heapTotal: 200_000,
    startedAt: '2026-12-06T00:00:00.000Z',
  };
  return [
    header,
    {
      type: 'begin',
      hz: 500,
      flush_hz: 1,
      every: 5,
      timer: true,
      ring: 256,
      total: 200_000,
      alloc: 9000,
      alloc_us: 300,
      tick_us: 40,
      late_us: 500,
    },
    { type: 'mark', id: 0, name: 'control' },
    { type: 'samples', n: 0, entries },
    { type: 'end', how: 'time', error: null, t: t, entries: entries.length + 2, lost: 0, lines: 10 },
    { type: 'stopped', reason: 'time' },
    {
      type: 'pause',
      us: 1000,
      method: 'ticks_us',
      liveBytes: 10_000,
      heapTotalAfter: 200_000,
      garbageUs: 1100,
      garbageBlocks: 1000,
    },
  ];
}

describe('a profile’s report from its records', () => {
  it('has R, the collections with their stalls and cadence, the gaps and the advice with its inputs', () => {
    const report = analyseProfile(boardRecords(), { runId: 'r1', budgetUs: 2_000 });
    expect(report.allocation!.bytesPerSecond).toBeCloseTo(80_000, -3);
    expect(report.collections.count).toBe(2);
    expect(report.collections.stalls!.p50).toBe(3_000);
    expect(report.collections.intervalS).toBeCloseTo(2.003, 3);
    // F / R: 190 000 B free over 80 000 B/s.
    expect(report.collections.predictedIntervalS).toBeCloseTo(2.375, 1);
    // L + k × freed / 16: 1000 + 0.1 × 159 200 / 16.
    expect(report.collections.predictedStallP50Us).toBeCloseTo(1995, 0);
    expect(report.marks[0]).toMatchObject({ name: 'control', calls: 600 });
    expect(report.pause!.sweepUsPerBlock).toBeCloseTo(0.1);
    expect(report.sampler.cpuShare).toBeCloseTo(0.05);
    const advice = report.advice!;
    // Lfull = 1000 + 0.1 × 190 000/16 = 2187.5 > 2000; L + k × A16/16 = 1005 ≤ 2000: tune.
    expect(advice.strategy).toBe('tune-threshold');
    expect(advice.inputs[0]).toContain('L = 1000 µs');
    expect(advice.inputs.join('\n')).toContain('B = 2000 µs: given');
    expect(report.notShown).toEqual([]);
  });

  it('counts R over the loop only: what the heap does after its last mark() is the probe stopping it', () => {
    const records = boardRecords();
    const samples = records.find((r) => r.type === 'samples')!;
    if (samples.type !== 'samples') throw new Error('no samples');
    const lastT = Math.max(...samples.entries.map((e) => e[1]));
    // The stop: mark() raises, the last flush's frame is allocated: 50 kB more after the loop ended.
    samples.entries.push([0, lastT + 5_000, 10_000 + 800 * 199 + 50_000]);
    const report = analyseProfile(records, { runId: 'r' });
    expect(report.allocation!.bytesPerSecond).toBeCloseTo(80_000, -3);
  });

  it('says why there is no advice rather than guessing', () => {
    const records = boardRecords().filter((r) => r.type !== 'pause');
    const report = analyseProfile(records, { runId: 'r2' });
    expect(report.advice).toBeUndefined();
    expect(report.notShown).toContainEqual({
      what: 'the advice',
      why: 'no pause was measured after the program (the device did not answer)',
    });
  });

  it('reports a run cut short from what arrived, and says so', () => {
    const records = boardRecords().slice(0, 4);
    const report = analyseProfile(records, { runId: 'r3' });
    expect(report.stopped.reason).toBe('failed');
    expect(report.collections.count).toBe(2);
  });

  it('holds the stalls against the same live set’s full-heap pause, and says so in junit.xml', () => {
    // The constructed stalls are 3 ms; the pause with the heap full of garbage 1.1 ms: outside ±15%.
    const off = analyseProfile(boardRecords(), { runId: 'r4' });
    expect(off.collections.sameLiveSet).toMatchObject({
      stallP50Us: 3000,
      sameLiveSetUs: 1100,
      within: false,
    });
    const offXml = renderProfileJUnit(off);
    expect(offXml).toMatch(/heap full of garbage \(±15%\)"[^>]*>\s*<failure message="stall p50 3000 µs/);
    // F / (R + probe) predicts 2.375 s for collections every 2.003 s: −16%, outside ±10%.
    expect(offXml).toMatch(/cadence F \/ R predicts \(±10%\)"[^>]*>\s*<failure/);
    const records = boardRecords().map((r) => (r.type === 'pause' ? { ...r, garbageUs: 2800 } : r));
    const on = analyseProfile(records, { runId: 'r5' });
    expect(on.collections.sameLiveSet!.within).toBe(true);
    expect(renderProfileJUnit(on)).toMatch(
      /heap full of garbage \(±15%\)"[^>]*>\s*<system-out>stall p50 3000 µs/,
    );
  });
});
