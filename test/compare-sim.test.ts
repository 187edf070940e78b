import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareReports, type Comparison } from '../src/compare/compare-reports.ts';
import { main } from '../src/cli/main.ts';
import type { Device } from '../src/device/device.ts';
import { openDevice } from '../src/device/open.ts';
import type { AnyExperiment } from '../src/experiments/experiment.ts';
import { EXPERIMENTS, selectExperiments } from '../src/experiments/index.ts';
import type { ParamOverride } from '../src/experiments/params.ts';
import { silentProgress } from '../src/run/progress.ts';
import { runSuite } from '../src/run/runner.ts';
import type { Report } from '../src/report/schema.ts';

/**
 * `picogc compare` against real runs on the virtual Pico. Its work clock gives the same pause for the
 * same work on any host, under any load (src/sim/README.md), so every metric of a run is exact: the
 * comparison is the exact one (no spread on either side), a slower configuration is a regression on
 * every seed, and runs of one configuration are identical, metric for metric. Runs here go at once
 * where they can. bench/false-alarm.ts makes the same
 * comparisons over 20 seeds and 100 A/A pairs.
 */

const dir = mkdtempSync(join(tmpdir(), 'picogc-compare-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pauseVsLive = selectExperiments(['pause-vs-live']);
const size = (value: number): ParamOverride[] => [{ experiment: 'pause-vs-live', param: 'size', value }];
let runs = 0;

/** One run of `experiments` on `device` (quick profile), as `picogc run` makes it. */
async function runOn(
  device: Device,
  experiments: AnyExperiment[],
  overrides: ParamOverride[] = [],
): Promise<Report> {
  const n = ++runs;
  return runSuite({
    device,
    info: await device.info(),
    experiments,
    profile: 'quick',
    overrides,
    runId: `compare-sim-${n}`,
    resultsPath: join(dir, `${n}.jsonl`),
    progress: silentProgress,
  });
}

/** One run on a fresh virtual Pico of `seed`. */
async function freshRun(
  seed: number,
  experiments: AnyExperiment[],
  overrides: ParamOverride[] = [],
): Promise<Report> {
  const device = await openDevice({ device: 'sim', seed }, () => undefined);
  try {
    return await runOn(device, experiments, overrides);
  } finally {
    await device.close();
  }
}

function save(report: Report): string {
  const runDir = join(dir, report.runId);
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report));
  return runDir;
}

const changes = (c: Comparison) => c.metrics.map((m) => [m.id, m.method, m.verdict, m.changePercent]);

describe('picogc compare on the virtual Pico: bytearray(48) → bytearray(52), pause-vs-live', () => {
  const SEEDS = [1, 2, 3];
  const pairs: [Report, Report][] = [];
  let comparisons: Comparison[];

  beforeAll(async () => {
    // The two sides of a seed at once: the host's load is not what they measure.
    for (const seed of SEEDS) {
      pairs.push(await Promise.all([freshRun(seed, pauseVsLive), freshRun(seed, pauseVsLive, size(52))]));
    }
    comparisons = pairs.map((pair) => compareReports(...pair));
  }, 90_000);

  it(`is a regression of every pause with live objects on each of ${SEEDS.length} seeds, the same to the last digit`, () => {
    for (const c of comparisons) {
      expect(c.regressions.map((m) => m.id)).toEqual([
        'pause-vs-live/n=500',
        'pause-vs-live/n=1000',
        'pause-vs-live/n=2000',
      ]);
      expect(c.metrics.every((m) => m.method === 'exact')).toBe(true);
      // No live object, nothing to mark: the size of one changes nothing.
      expect(c.metrics.find((m) => m.id === 'pause-vs-live/n=0')?.changePercent).toBe(0);
      for (const m of c.regressions) {
        expect(m.changePercent).toBeCloseTo(100 * (m.current.median / m.baseline.median - 1), 9);
        expect(m.changePercent).toBeGreaterThan(5);
      }
    }
    expect(changes(comparisons[1]!)).toEqual(changes(comparisons[0]!));
    expect(changes(comparisons[2]!)).toEqual(changes(comparisons[0]!));
  });

  it('the command exits 1 and names each regressed metric and the parameter that changed', async () => {
    const [a, b] = pairs[0]!;
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const code = await main(['compare', save(a), save(b)]);
    vi.restoreAllMocks();

    expect(code, stdout).toBe(1);
    const named = stderr.split('\n').filter(Boolean);
    expect(
      named.map(
        (line) => /^picogc: regression: (\S+) \(pause with \d+ live bytearray\(52\)\): /.exec(line)?.[1],
      ),
    ).toEqual(comparisons[0]!.regressions.map((m) => m.id));
    expect(stdout).toContain('note: parameter pause-vs-live.size differs: 48 → 52');
    expect(stdout).toContain("note: pauses are the virtual Pico's work clock");
    expect(stdout).toMatch(/^verdict: REGRESSION — 3 metrics regressed: pause-vs-live\/n=500, /m);
  });
});

describe('picogc compare on the virtual Pico: runs of one configuration (the whole quick suite)', () => {
  it('are identical, metric for metric: on one Pico run again, and on a Pico of another seed at the same time', async () => {
    const pico = await openDevice({ device: 'sim', seed: 1 }, () => undefined);
    let first: Report;
    let again: Report;
    let other: Report;
    try {
      [first, other] = await Promise.all([runOn(pico, EXPERIMENTS), freshRun(2, EXPERIMENTS)]);
      again = await runOn(pico, EXPERIMENTS);
    } finally {
      await pico.close();
    }
    for (const c of [compareReports(first, again), compareReports(first, other)]) {
      expect(c.metrics.length).toBeGreaterThan(30);
      // Pauses included: every metric has one value, repeated, on both sides.
      expect(c.metrics.filter((m) => m.unit === 'µs').length).toBeGreaterThan(10);
      for (const m of c.metrics) expect([m.id, m.method, m.changePercent]).toEqual([m.id, 'exact', 0]);
      expect([c.regressions, c.improvements, c.exitCode]).toEqual([[], [], 0]);
    }
  }, 60_000);
});
