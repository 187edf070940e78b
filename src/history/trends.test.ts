import { describe, expect, it } from 'vitest';
import { seededRandom } from '../prng.ts';
import { InputError } from '../errors.ts';
import { formatHistoryTables } from './history-table.ts';
import type { HistoryRecord } from './schema.ts';
import { historyTrends } from './trends.ts';

const METRIC = 'pause-vs-live/n=1000';

function record(
  i: number,
  median: number,
  overrides: Partial<HistoryRecord> = {},
  metric = METRIC,
): HistoryRecord {
  return {
    schema: 'picogc.history/1',
    runId: `2026-05-${String(i + 1).padStart(2, '0')}T02:00:00Z-board`,
    at: new Date(Date.UTC(2026, 4, i + 1, 2)).toISOString(),
    device: {
      id: 'e6614103e7452d2f',
      label: '/dev/ttyACM0',
      firmware: i < 4 ? 'v1.28.0' : 'v1.29.0-preview',
    },
    metrics: { [metric]: { median, low: median * 0.9, high: median * 1.1, n: 12, unit: 'µs' } },
    verdict: 'pass',
    ...overrides,
  };
}

/** Real medians of eight quick runs on the virtual Pico: size 48, then size 96 from run 5 on. */
const MEASURED = [69.04, 69.04, 77.07, 70.23, 140.0, 122.2, 102.4, 145.6];

describe('historyTrends', () => {
  it('names the first run and firmware of a slowdown, and its size', () => {
    const [trend] = historyTrends(MEASURED.map((m, i) => record(i, m)));
    expect(trend!.steps).toHaveLength(1);
    const step = trend!.steps[0]!;
    expect(step).toMatchObject({
      run: 5,
      runId: '2026-05-05T02:00:00Z-board',
      firmware: 'v1.29.0-preview',
      direction: 'up',
    });
    expect(step.before).toBeCloseTo(69.6, 0);
    expect(step.after).toBeCloseTo(130.8, 0);
    expect(step.changePercent).toBeCloseTo(88, 0);
    expect(formatHistoryTables([trend!])).toMatch(
      /step up at run 5 \(2026-05-05T02:00:00Z-board, firmware v1\.29\.0-preview\): 69\.6\d? → 130\.8 µs \(\+88%\)/,
    );
  });

  it('flags nothing in a noisy series without a change, nor a one-night blip', () => {
    const random = seededRandom(7);
    const flat = Array.from({ length: 10 }, (_, i) => record(i, 75 * (1 + 0.12 * (random.next() - 0.5))));
    expect(historyTrends(flat)[0]!.steps).toEqual([]);
    const blip = MEASURED.slice(0, 4)
      .concat([150, 70, 71, 69])
      .map((m, i) => record(i, m));
    expect(historyTrends(blip)[0]!.steps).toEqual([]);
  });

  it("weighs each run's own interval: medians flipping within wide intervals are not a step", () => {
    // Ten resampled nights of a virtual Pico's 0-object pause, whose repetitions come in two groups
    // (~12.5 and ~17 µs): a night's median lands in either, and its interval spans both.
    const flips = [12.6, 12.5, 12.7, 17.4, 17.2, 12.6, 12.5, 12.6, 12.8, 12.4];
    const night = (i: number, m: number, low: number, high: number) =>
      record(i, m, { metrics: { [METRIC]: { median: m, low, high, n: 12, unit: 'µs' } } });
    expect(historyTrends(flips.map((m, i) => night(i, m, 12.1, 17.9)))[0]!.steps).toEqual([]);
    // The same medians from runs that were each precise (±1%) are two real level changes.
    const precise = historyTrends(flips.map((m, i) => night(i, m, m * 0.99, m * 1.01)))[0]!;
    expect(precise.steps.map((s) => [s.run, s.direction])).toEqual([
      [4, 'up'],
      [6, 'down'],
    ]);
  });

  it('ignores a step below --min-step (default 5%) and reports it when asked', () => {
    // A deterministic metric (bytes) that moves by 3%: real, but below the threshold that matters.
    const bytes = [100, 100, 100, 100, 103, 103, 103, 103].map((m, i) =>
      record(i, m, { metrics: { [METRIC]: { median: m, low: m, high: m, n: 12, unit: 'B' } } }),
    );
    expect(historyTrends(bytes)[0]!.steps).toEqual([]);
    expect(historyTrends(bytes, { minStepPercent: 0 })[0]!.steps.map((s) => s.run)).toEqual([5]);
  });

  it('fits a series with zeros as it is, and finds a step away from zero', () => {
    const trend = historyTrends([0, 0, 0, 0, 16, 16, 16, 16].map((m, i) => record(i, m)))[0]!;
    expect(trend.noiseUnit).toBe('µs');
    expect(trend.steps.map((s) => [s.run, s.changePercent])).toEqual([[5, Number.POSITIVE_INFINITY]]);
  });

  it('numbers runs by their place in the whole history, also inside a window', () => {
    const records = MEASURED.concat(MEASURED.slice(4)).map((m, i) => record(i, i < 4 ? m : 140));
    const trend = historyTrends(records, { window: 6 })[0]!;
    expect(trend.runs.map((r) => r.run)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(trend.runsInWindow).toBe(6);
  });

  it('keeps boards apart and filters by board (id or label) and metric (exact, else substring)', () => {
    const other = (i: number, m: number) =>
      record(i, m, { device: { id: 'c8e63a8ccb052ca8', label: 'virtual Pico seed 2' } });
    const records = [
      ...MEASURED.map((m, i) => record(i, m)),
      ...MEASURED.map((m, i) => other(i, 70)),
      record(9, 16, {}, 'alloc-sizes/float'),
    ];
    const all = historyTrends(records);
    expect(all.map((t) => [t.device, t.metric])).toEqual([
      ['e6614103e7452d2f', METRIC],
      ['e6614103e7452d2f', 'alloc-sizes/float'],
      ['c8e63a8ccb052ca8', METRIC],
    ]);
    expect(all[2]!.steps).toEqual([]); // the other board did not slow down
    expect(historyTrends(records, { device: 'virtual Pico seed 2' }).map((t) => t.device)).toEqual([
      'c8e63a8ccb052ca8',
    ]);
    expect(historyTrends(records, { metric: 'n=1000' }).map((t) => t.metric)).toEqual([METRIC, METRIC]);
    expect(historyTrends(records, { metric: 'alloc-sizes/float' })).toHaveLength(1);
    expect(() => historyTrends(records, { device: 'nope' })).toThrow(/no board "nope".*e6614103e7452d2f/);
    expect(() => historyTrends(records, { metric: 'nope' })).toThrow(InputError);
  });

  it('leaves a gap where a run lacks the metric (its experiment failed)', () => {
    const records = MEASURED.map((m, i) => (i === 2 ? record(i, 1, {}, 'other') : record(i, m)));
    const trend = historyTrends(records, { metric: METRIC })[0]!;
    expect(trend.runs.map((r) => r.run)).toEqual([1, 2, 4, 5, 6, 7, 8]);
    expect(trend.steps.map((s) => s.run)).toEqual([5]);
  });
});
