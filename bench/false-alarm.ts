import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports, type Comparison } from '../src/compare/compare-reports.ts';
import { poolRuns } from '../src/compare/pool-runs.ts';
import type { Device } from '../src/device/device.ts';
import type { DeviceInfo } from '../src/device/device-info.ts';
import type { AnyExperiment } from '../src/experiments/experiment.ts';
import { openDevice } from '../src/device/open.ts';
import { selectExperiments } from '../src/experiments/index.ts';
import type { ParamOverride } from '../src/experiments/params.ts';
import { silentProgress } from '../src/run/progress.ts';
import { runSuite } from '../src/run/runner.ts';
import type { Report } from '../src/report/schema.ts';
import { crossover } from '../test/support/crossover.ts';
import type { BenchModule } from './bench-module.ts';

/**
 * How often does `picogc compare`'s default rule cry wolf, and how often does it catch a real
 * slowdown? On the virtual Pico, quick profile, every experiment:
 *
 * - A/A, single runs, sequential: two runs one after the other on one virtual Pico (as a nightly
 *   job compares tonight's run with last night's on the same board). Host load that comes and goes
 *   lands on one run only: the false-alarm rate a user of the virtual Pico sees on a busy host.
 * - A/A, single runs, side by side: the two runs at once on two virtual Picos.
 * - A/A, 3 pooled runs a side, interleaved on one virtual Pico (`picogc compare a,b,c d,e,f`).
 * - A/A, crossover (test/support/crossover.ts, as test/compare-sim.test.ts does without its host
 *   gate): two virtual Picos taking turns call by call, each side run once on each, pooled; host
 *   load and VM state fall on both sides alike, so this is closest to the rule's own false-alarm rate.
 * - A/B: pause-vs-live (default profile), bytearray(48) against bytearray(96), single runs one
 *   after the other, and as a crossover: the share of pairs in which a pause-vs-live metric is
 *   flagged (the power).
 *
 * PICOGC_FALSE_ALARM_PAIRS sets the pairs per mode (default 20). Each virtual Pico's first run is
 * discarded: it pays the wasm engine's warm-up, which would bias the first side of a pair.
 */

const PAIRS = Number(process.env.PICOGC_FALSE_ALARM_PAIRS ?? 20);

interface ModeResult {
  pairs: number;
  /** Pairs in which at least one metric was flagged as a regression. */
  pairsWithRegression: number;
  pairRate: number;
  metricsJudged: number;
  metricRegressions: number;
  /** Pairs in which some metric would have been flagged without Holm's correction or the timing floor. */
  pairsFlaggedByUncorrectedRule: number;
  /** The flagged metrics, pair by pair, with their change and adjusted p. */
  flagged: string[];
  seconds: number;
}

export const falseAlarmBench: BenchModule = {
  name: 'false-alarm',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'picogc-false-alarm-'));
    const devices: [Device, Device] = await Promise.all([openSim(), openSim()]);
    const infos: [DeviceInfo, DeviceInfo] = await Promise.all([devices[0].info(), devices[1].info()]);
    try {
      const runner = makeRunner(dir);
      const all = selectExperiments();
      const pauseVsLive = selectExperiments(['pause-vs-live']);
      // Warm-up: the first run of each virtual Pico is not compared.
      await Promise.all(devices.map((d) => runner(d, all, 'quick')));

      const single = await mode(async () => {
        const a = await runner(devices[0], all, 'quick');
        const b = await runner(devices[0], all, 'quick');
        return compareReports(a, b);
      });
      const sideBySide = await mode(async (i) => {
        const [x, y] = i % 2 === 0 ? [devices[0], devices[1]] : [devices[1], devices[0]];
        const [a, b] = await Promise.all([runner(x, all, 'quick'), runner(y, all, 'quick')]);
        return compareReports(a, b);
      });
      const pooled = await mode(async (i) => {
        const a: Report[] = [];
        const b: Report[] = [];
        for (let k = 0; k < 3; k++) {
          const [first, second] = (i + k) % 2 === 0 ? [a, b] : [b, a];
          first.push(await runner(devices[0], all, 'quick'));
          second.push(await runner(devices[0], all, 'quick'));
        }
        return compareReports(poolRuns(a), poolRuns(b));
      });
      const setup = (experiments: AnyExperiment[], profile: 'quick' | 'default') => ({
        picos: devices,
        infos,
        experiments,
        profile,
        dir,
      });
      const crossed = await mode(async () => {
        const { pooledA, pooledB } = await crossover(setup(all, 'quick'));
        return compareReports(pooledA, pooledB);
      });
      const slower: ParamOverride[] = [{ experiment: 'pause-vs-live', param: 'size', value: 96 }];
      const power = await mode(async () => {
        const a = await runner(devices[0], pauseVsLive, 'default');
        const b = await runner(devices[0], pauseVsLive, 'default', slower);
        return compareReports(a, b);
      });
      const powerCrossover = await mode(async () => {
        const { pooledA, pooledB } = await crossover(setup(pauseVsLive, 'default'), [], slower);
        return compareReports(pooledA, pooledB);
      });
      return {
        rule: 'default: 95% CI beyond +5%, Mann–Whitney p < 0.01 after Holm, timing floor',
        host: { cpus: cpus().length, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
        aaSingleRunsSequential: single,
        aaSingleRunsSideBySide: sideBySide,
        aaThreePooledRunsInterleaved: pooled,
        aaCrossover: crossed,
        size48vs96SingleRunsSequential: power,
        size48vs96Crossover: powerCrossover,
      };
    } finally {
      await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function openSim(): Promise<Device> {
  return openDevice({ device: 'sim' }, () => undefined);
}

function makeRunner(dir: string) {
  let n = 0;
  return async (
    device: Device,
    experiments: ReturnType<typeof selectExperiments>,
    profile: 'quick' | 'default',
    overrides: ParamOverride[] = [],
    info?: DeviceInfo,
  ): Promise<Report> => {
    const id = ++n;
    return runSuite({
      device,
      info: info ?? (await device.info()),
      experiments,
      profile,
      overrides,
      runId: `false-alarm-${id}`,
      resultsPath: join(dir, `${id}.jsonl`),
      progress: silentProgress,
    });
  };
}

async function mode(pair: (i: number) => Promise<Comparison>): Promise<ModeResult> {
  const started = performance.now();
  const result: ModeResult = {
    pairs: PAIRS,
    pairsWithRegression: 0,
    pairRate: 0,
    metricsJudged: 0,
    metricRegressions: 0,
    pairsFlaggedByUncorrectedRule: 0,
    flagged: [],
    seconds: 0,
  };
  for (let i = 0; i < PAIRS; i++) {
    const c = await pair(i);
    result.metricsJudged += c.metrics.length;
    result.metricRegressions += c.regressions.length;
    if (c.regressions.length > 0) {
      result.pairsWithRegression += 1;
      result.flagged.push(
        `pair ${i}: ${c.regressions.map((m) => `${m.id} ${m.changePercent?.toFixed(0)}% (adj. p ${m.adjustedP?.toPrecision(2)})`).join(', ')}`,
      );
    }
    // What judgeChange alone would have said, before Holm and the timing floor.
    if (c.metrics.some((m) => m.reason.includes('worse by more than') && m.verdict !== 'improvement')) {
      result.pairsFlaggedByUncorrectedRule += 1;
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  result.pairRate = result.pairsWithRegression / PAIRS;
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  return result;
}
