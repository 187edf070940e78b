import { describe, expect, it } from 'vitest';
import { around, metric, syntheticReport } from '../../test/support/synthetic-report.ts';
import { InputError } from '../errors.ts';
import { compareReports, HOST_TIMED_FLOOR_US, timingFloorUs } from './compare-reports.ts';
import { formatComparison } from './format.ts';
import { poolRuns } from './pool-runs.ts';

const base = [100, 101, 102, 103, 104, 105, 106, 107];
/** +10% with one low value: alone p ≈ 0.003 and the CI clears +5%; not after Holm over 30 metrics. */
const modest = base.map((x, i) => x + 10 - (i < 1 ? 8 : 0));

function oneMetric(id: string, values: number[], extra = {}) {
  return syntheticReport([{ id: 'pause', metrics: [metric(id, values, extra)] }]);
}

describe('compareReports: the regression rule per metric', () => {
  it('a report against itself: nothing regresses, exit 0', () => {
    const r = syntheticReport([
      { id: 'pause', metrics: [metric('p/1', around(300)), metric('p/2', around(900))] },
      { id: 'alloc', metrics: [metric('a/float', [16], { unit: 'B' })] },
    ]);
    const c = compareReports(r, r);
    expect(c.exitCode).toBe(0);
    expect(c.regressions).toEqual([]);
    expect(c.metrics.map((m) => [m.id, m.verdict])).toEqual([
      ['p/1', 'no-change'],
      ['p/2', 'no-change'],
      ['a/float', 'no-change'],
    ]);
  });

  it('a clearly slower pause is a regression with its CI, p and Holm-adjusted p; exit 1', () => {
    const c = compareReports(
      syntheticReport([{ id: 'pause', metrics: [metric('p/1', around(300)), metric('p/2', around(900))] }]),
      syntheticReport([{ id: 'pause', metrics: [metric('p/1', around(300)), metric('p/2', around(1350))] }]),
    );
    expect(c.exitCode).toBe(1);
    expect(c.regressions.map((m) => m.id)).toEqual(['p/2']);
    const m = c.regressions[0]!;
    expect(m.changePercent).toBeCloseTo(50, 0);
    expect(m.interval!.low).toBeGreaterThan(5);
    expect(m.pValue).toBeLessThan(0.01);
    expect(m.adjustedP).toBe(Math.min(1, 2 * m.pValue!));
    expect(m.reason).toMatch(/worse by more than 5%.*Holm-adjusted over 2 metrics/);
  });

  it('respects the direction: for higher-is-better a drop regresses and a rise improves', () => {
    const higher = { better: 'higher' as const, unit: 'B' };
    const drop = compareReports(
      oneMetric('largest', around(4000), higher),
      oneMetric('largest', around(2000), higher),
    );
    expect(drop.metrics[0]!.verdict).toBe('regression');
    const rise = compareReports(
      oneMetric('largest', around(2000), higher),
      oneMetric('largest', around(4000), higher),
    );
    expect(rise.metrics[0]!.verdict).toBe('improvement');
    expect(rise.exitCode).toBe(0);
  });

  it('the threshold is the smallest change that counts', () => {
    const before = oneMetric('p', around(1000));
    const after = oneMetric('p', around(1500));
    expect(compareReports(before, after).metrics[0]!.verdict).toBe('regression');
    expect(compareReports(before, after, { thresholdPercent: 60 }).metrics[0]!.verdict).toBe('no-change');
    expect(() => compareReports(before, after, { thresholdPercent: -1 })).toThrow(InputError);
  });
});

describe('compareReports: deterministic metrics are compared exactly', () => {
  const bytes = (id: string, v: number, better: 'lower' | 'higher' = 'lower') =>
    metric(id, [v], { unit: 'B', better });
  const pair = (a: number, b: number, better: 'lower' | 'higher' = 'lower') =>
    compareReports(
      syntheticReport([{ id: 'alloc', metrics: [bytes('x', a, better)] }]),
      syntheticReport([{ id: 'alloc', metrics: [bytes('x', b, better)] }]),
    ).metrics[0]!;

  it('a bigger object is a regression, explained as exact; a smaller one an improvement', () => {
    const grew = pair(16, 32);
    expect(grew).toMatchObject({ method: 'exact', verdict: 'regression', changePercent: 100, pValue: null });
    expect(grew.reason).toContain('16 → 32 B');
    expect(grew.reason).toContain('both sides are exact (no spread)');
    expect(pair(32, 16)).toMatchObject({ method: 'exact', verdict: 'improvement' });
  });

  it('a change within the threshold is no change; from zero it is unbounded', () => {
    expect(pair(224, 230)).toMatchObject({ verdict: 'no-change' });
    expect(pair(224, 230).reason).toContain('within the ±5% threshold');
    expect(pair(0, 16)).toMatchObject({ verdict: 'regression', changePercent: Number.POSITIVE_INFINITY });
    expect(pair(16, 16)).toMatchObject({ verdict: 'no-change', changePercent: 0 });
  });

  it('many equal values a side are exact too; one timing a side is not', () => {
    const exact = compareReports(
      oneMetric('x', [48, 48, 48], { unit: 'B' }),
      oneMetric('x', [64, 64, 64], { unit: 'B' }),
    ).metrics[0]!;
    expect(exact).toMatchObject({ method: 'exact', verdict: 'regression' });
    const timing = compareReports(oneMetric('t', [100]), oneMetric('t', [200])).metrics[0]!;
    expect(timing.method).toBe('statistical');
    expect(timing.verdict).toBe('insufficient-data');
  });
});

describe('compareReports: many metrics and coarse clocks', () => {
  it("a modest change that is significant alone does not survive Holm's correction over 30 metrics", () => {
    const alone = compareReports(oneMetric('m', base), oneMetric('m', modest));
    expect(alone.metrics[0]!.verdict).toBe('regression');

    const others = Array.from({ length: 29 }, (_, i) => metric(`other/${i}`, around(500 + i)));
    const before = syntheticReport([{ id: 'pause', metrics: [metric('m', base), ...others] }]);
    const after = syntheticReport([{ id: 'pause', metrics: [metric('m', modest), ...others] }]);
    const m = compareReports(before, after).metrics.find((x) => x.id === 'm')!;
    expect(m.verdict).toBe('no-change');
    expect(m.adjustedP).toBeCloseTo(30 * m.pValue!, 10);
    expect(m.reason).toContain("not after Holm's correction over 30 metrics");
  });

  it('a duration that moved by less than the timing floor has not changed', () => {
    // On a board (ticks_us, 1 µs) the floor is 2 µs: 4 → 5 µs is inside it, 4 → 7 µs is not.
    expect(compareReports(oneMetric('t', around(4)), oneMetric('t', around(5))).metrics[0]).toMatchObject({
      verdict: 'no-change',
      floorUs: 2,
    });
    expect(compareReports(oneMetric('t', around(4)), oneMetric('t', around(7))).metrics[0]!.verdict).toBe(
      'regression',
    );
    // Host-timed (the virtual Pico): 20 → 28 µs is inside its floor unless the floor is overridden.
    const sim = (v: number) =>
      syntheticReport([{ id: 'pause', metrics: [metric('t', around(v))] }], { kind: 'virtual-pico' });
    const inside = compareReports(sim(20), sim(28)).metrics[0]!;
    expect(inside).toMatchObject({ verdict: 'no-change', floorUs: HOST_TIMED_FLOOR_US });
    expect(inside.reason).toContain('within the 10 µs timing floor');
    expect(compareReports(sim(20), sim(28), { floorUs: 0 }).metrics[0]!.verdict).toBe('regression');
  });

  it('the floor comes from each device: two ticks, or the host-timed floor', () => {
    expect(timingFloorUs(syntheticReport([]).device)).toBe(2);
    expect(timingFloorUs(syntheticReport([], { kind: 'virtual-pico' }).device)).toBe(HOST_TIMED_FLOOR_US);
  });
});

describe('compareReports: what else changed', () => {
  it('lists metrics present on one side only, with the reason when it is known', () => {
    const before = syntheticReport([
      { id: 'pause', metrics: [metric('p/1', around(10)), metric('p/gone', around(10))] },
      { id: 'frag', metrics: [metric('f/largest', [2000], { unit: 'B', better: 'higher' })] },
    ]);
    const after = syntheticReport([
      { id: 'pause', metrics: [metric('p/1', around(10)), metric('p/new', around(10))] },
      { id: 'frag', status: 'failed', error: 'TimeoutError: exec timed out' },
    ]);
    const c = compareReports(before, after);
    expect(c.onlyInCurrent.map((m) => m.id)).toEqual(['p/new']);
    expect(c.onlyInBaseline.map((m) => [m.id, m.why])).toEqual([
      ['p/gone', undefined],
      ['f/largest', 'frag failed in the current run: TimeoutError: exec timed out'],
    ]);
    expect(c.notes.join('\n')).toContain('frag failed in the current run');
  });

  it('lists checks whose status changed, flagging the newly failing ones', () => {
    const check = (id: string, status: 'pass' | 'fail' | 'skipped') => ({
      id,
      title: `check ${id}`,
      status,
      ...(status === 'skipped' ? { reason: 'cannot on this device' } : { observed: `${id} observed` }),
    });
    const before = syntheticReport([
      { id: 'e', checks: [check('a', 'pass'), check('b', 'fail'), check('c', 'pass'), check('d', 'pass')] },
    ]);
    const after = syntheticReport([
      {
        id: 'e',
        checks: [check('a', 'fail'), check('b', 'pass'), check('c', 'skipped'), check('new', 'fail')],
      },
    ]);
    const changes = compareReports(before, after).checkChanges;
    expect(changes.map((k) => [k.id, k.baseline, k.current, k.newlyFailing])).toEqual([
      ['a', 'pass', 'fail', true],
      ['b', 'fail', 'pass', false],
      ['c', 'pass', 'skipped', false],
      ['new', 'absent', 'fail', true],
      ['d', 'pass', 'absent', false],
    ]);
    // A check that started failing is listed, not counted: the run itself fails on it.
    expect(compareReports(before, after).exitCode).toBe(0);
  });

  it('notes different parameters, devices and profiles', () => {
    const before = syntheticReport([{ id: 'pause-vs-live', params: { size: 48, reps: 12 } }]);
    const after = syntheticReport([{ id: 'pause-vs-live', params: { size: 96, reps: 12 } }], {
      kind: 'virtual-pico',
    });
    const notes = compareReports(before, after).notes.join('\n');
    expect(notes).toContain('parameter pause-vs-live.size differs: 48 → 96');
    expect(notes).not.toContain('reps');
    expect(notes).toContain('the baseline ran on a board and the current run on a virtual Pico');
    expect(notes).toContain('pauses were timed on the host');
  });

  it('says why a metric cannot be compared instead of failing', () => {
    const units = compareReports(oneMetric('m', around(5)), oneMetric('m', around(5), { unit: 'ms' }));
    expect(units.metrics[0]).toMatchObject({ verdict: 'not-comparable', reason: 'units differ: µs vs ms' });
    const zero = compareReports(oneMetric('m', [0, 0, 0, 0, 1]), oneMetric('m', around(5)));
    expect(zero.metrics[0]!.verdict).toBe('not-comparable');
    expect(zero.metrics[0]!.reason).toContain('baseline median is 0');
    expect(zero.exitCode).toBe(0);
  });
});

describe('formatComparison', () => {
  const before = syntheticReport([
    { id: 'pause', metrics: [metric('p/1', around(300)), metric('p/2', around(900))] },
    { id: 'alloc', metrics: ['float', 'int', 'str'].map((n) => metric(`alloc/${n}`, [16], { unit: 'B' })) },
  ]);
  const after = syntheticReport([
    { id: 'pause', metrics: [metric('p/1', around(300)), metric('p/2', around(1350))] },
    { id: 'alloc', metrics: ['float', 'int', 'str'].map((n) => metric(`alloc/${n}`, [16], { unit: 'B' })) },
  ]);

  it('shows the runs, the rule, a row per judged metric, the regressions and the verdict', () => {
    const text = formatComparison(compareReports(before, after));
    expect(text).toMatch(/^baseline run-1: \/dev\/ttyACM0, MicroPython 1\.28\.0/m);
    expect(text).toContain("Holm's correction");
    expect(text).toMatch(/^p\/2 +900 µs +1350 µs +\+50\.0% +\[\+\d+\.\d%, \+\d+\.\d%\] +\S+ +REGRESSION$/m);
    expect(text).toMatch(/^p\/1 .* no change$/m);
    expect(text).toContain(
      '(alloc: 3 more metrics identical on both sides, compared exactly; --all lists them)',
    );
    expect(text).not.toMatch(/^alloc\/float/m);
    expect(text).toMatch(/^regressions \(1\):\n {2}p\/2 — title of p\/2: median \+50\.0%/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('verdict: REGRESSION — 1 metric regressed: p/2');
  });

  it('lists every metric with all, and says so when nothing regressed', () => {
    const text = formatComparison(compareReports(before, before), { all: true });
    expect(text).toMatch(/^alloc\/float +16 B +16 B +0\.0% +exact +— +no change$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('verdict: no regression in 5 shared metrics');
  });
});

describe('poolRuns', () => {
  it('concatenates each metric over runs of one configuration; a check keeps its worst status', () => {
    const run = (runId: string, values: number[], status: 'pass' | 'fail') =>
      syntheticReport(
        [{ id: 'pause', metrics: [metric('p', values)], checks: [{ id: 'c', title: 'c', status }] }],
        { runId },
      );
    const pooled = poolRuns([run('a', [1, 2], 'pass'), run('b', [3], 'fail'), run('c', [4, 5], 'pass')]);
    expect(pooled.runId).toBe('a (+2 pooled)');
    expect(pooled.experiments[0]!.metrics[0]!.values).toEqual([1, 2, 3, 4, 5]);
    expect(pooled.experiments[0]!.checks.map((c) => c.status)).toEqual(['fail']);
    const one = run('only', [1], 'pass');
    expect(poolRuns([one])).toBe(one);
  });

  it('refuses to pool runs of different configurations', () => {
    const a = syntheticReport([{ id: 'pause-vs-live', params: { size: 48 } }], { runId: 'a' });
    const b = syntheticReport([{ id: 'pause-vs-live', params: { size: 96 } }], { runId: 'b' });
    expect(() => poolRuns([a, b])).toThrow(
      new InputError('runs a and b cannot be pooled: the parameters of pause-vs-live differ'),
    );
    const sim = syntheticReport([], { runId: 's', kind: 'virtual-pico' });
    expect(() => poolRuns([syntheticReport([], { runId: 'a' }), sim])).toThrow(/device kinds differ/);
    expect(() => poolRuns([])).toThrow(InputError);
  });
});
