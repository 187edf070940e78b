import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports, type Comparison } from '../src/compare/compare-reports.ts';
import { openDevice } from '../src/device/open.ts';
import type { AnyExperiment } from '../src/experiments/experiment.ts';
import { selectExperiments } from '../src/experiments/index.ts';
import type { ParamOverride } from '../src/experiments/params.ts';
import { silentProgress } from '../src/run/progress.ts';
import { runSuite } from '../src/run/runner.ts';
import type { Report } from '../src/report/schema.ts';
import type { BenchModule } from './bench-module.ts';

/**
 * Does `picogc compare`'s default rule find a small slowdown on the virtual Pico, and does it ever
 * cry wolf? Every run is on a fresh virtual Pico, timed by its work clock; the two runs of a pair go
 * at once, as they would never be on a host-timed device, because the work clock does not share the
 * host's speed.
 *
 * - A/B, `PICOGC_FALSE_ALARM_SEEDS` seeds (default 20): pause-vs-live (default profile) with
 *   bytearray(48) and with bytearray(52) live objects (`--set pause-vs-live.size=52`), both on a
 *   virtual Pico of the seed. Found: some pause-vs-live metric is a regression.
 * - A/A, `PICOGC_FALSE_ALARM_PAIRS` pairs (default 100): the whole quick suite twice, on virtual
 *   Picos of seeds i and 1000 + i. A false alarm: any metric flagged either way.
 *
 * Also counted: metrics compared exactly (no spread on either side) or statistically, and how many
 * different sets of figures the runs of one configuration gave over the seeds. One seed always gives
 * one; another seed is like another board (its unique id lives in the heap): pause-vs-live's figures
 * came in 4 sets over 20 seeds, at most 0.02% apart, the quick suite's in one over 200.
 */

const SEEDS = Number(process.env.PICOGC_FALSE_ALARM_SEEDS ?? 20);
const PAIRS = Number(process.env.PICOGC_FALSE_ALARM_PAIRS ?? 100);

export const falseAlarmBench: BenchModule = {
  name: 'false-alarm',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'picogc-false-alarm-'));
    const loadAtStart = loadavg();
    try {
      const run = runner(dir);
      const pauseVsLive = selectExperiments(['pause-vs-live']);
      const slower: ParamOverride[] = [{ experiment: 'pause-vs-live', param: 'size', value: 52 }];
      const detection = await study(SEEDS, (seed) =>
        Promise.all([run(seed, pauseVsLive, 'default'), run(seed, pauseVsLive, 'default', slower)]),
      );
      const all = selectExperiments();
      const falseAlarms = await study(PAIRS, (i) =>
        Promise.all([run(i, all, 'quick'), run(1000 + i, all, 'quick')]),
      );
      return {
        rule: 'default: exact when neither side has spread (beyond ±5%), else 95% CI beyond +5%, Mann–Whitney p < 0.01 after Holm, timing floor',
        clock: 'work (the virtual Pico default)',
        host: {
          cpus: cpus().length,
          loadAverageAtStart: rounded(loadAtStart),
          loadAverageAtEnd: rounded(loadavg()),
        },
        bytearray48vs52: { ...detection, found: `${detection.pairsFlagged} of ${detection.pairs} seeds` },
        aaWholeQuickSuite: {
          ...falseAlarms,
          falseAlarms: `${falseAlarms.pairsFlagged} of ${falseAlarms.pairs} pairs`,
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

interface Study {
  pairs: number;
  /** Pairs in which some metric was a regression or an improvement. */
  pairsFlagged: number;
  metricsJudged: number;
  byMethod: Record<string, number>;
  /** The flagged metrics of the first pairs flagged, with their change. */
  flagged: string[];
  /** Distinct sets of figures among the baseline runs, and among the current runs. */
  distinctBaselines: number;
  distinctCurrents: number;
  seconds: number;
}

async function study(pairs: number, pair: (i: number) => Promise<[Report, Report]>): Promise<Study> {
  const started = performance.now();
  const result: Study = {
    pairs,
    pairsFlagged: 0,
    metricsJudged: 0,
    byMethod: {},
    flagged: [],
    distinctBaselines: 0,
    distinctCurrents: 0,
    seconds: 0,
  };
  const figures = [new Set<string>(), new Set<string>()];
  for (let i = 1; i <= pairs; i++) {
    const [a, b] = await pair(i);
    figures[0]!.add(fingerprint(a));
    figures[1]!.add(fingerprint(b));
    const c: Comparison = compareReports(a, b);
    result.metricsJudged += c.metrics.length;
    for (const m of c.metrics) result.byMethod[m.method] = (result.byMethod[m.method] ?? 0) + 1;
    const flagged = [...c.regressions, ...c.improvements];
    if (flagged.length > 0) {
      result.pairsFlagged += 1;
      if (result.flagged.length < 5) {
        result.flagged.push(
          `pair ${i}: ${flagged.map((m) => `${m.id} ${m.verdict} ${m.changePercent?.toFixed(1)}% (${m.method})`).join(', ')}`,
        );
      }
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  result.distinctBaselines = figures[0]!.size;
  result.distinctCurrents = figures[1]!.size;
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  return result;
}

/** A run's figures: every metric's values, in order. */
function fingerprint(report: Report): string {
  return JSON.stringify(report.experiments.map((e) => e.metrics.map((m) => [m.id, m.values])));
}

/** One run on a fresh virtual Pico of `seed`, closed after. */
function runner(dir: string) {
  let n = 0;
  return async (
    seed: number,
    experiments: AnyExperiment[],
    profile: 'quick' | 'default',
    overrides: ParamOverride[] = [],
  ): Promise<Report> => {
    const id = ++n;
    const device = await openDevice({ device: 'sim', seed }, () => undefined);
    try {
      return await runSuite({
        device,
        info: await device.info(),
        experiments,
        profile,
        overrides,
        runId: `false-alarm-${id}`,
        resultsPath: join(dir, `${id}.jsonl`),
        progress: silentProgress,
      });
    } finally {
      await device.close();
    }
  };
}

function rounded(load: number[]): number[] {
  return load.map((x) => Math.round(x * 100) / 100);
}
