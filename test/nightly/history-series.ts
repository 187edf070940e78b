import { poolRuns } from '../../src/compare/pool-runs.ts';
import { seededRandom } from '../../src/prng.ts';
import { appendBoardRecord } from '../../src/boards/board-history.ts';
import { runBoard, type BoardOutcome } from '../../src/boards/board-run.ts';
import { openTarget } from '../../src/device/open.ts';
import { selectExperiments } from '../../src/experiments/index.ts';
import { parseParamOverride } from '../../src/experiments/params.ts';
import { silentProgress } from '../../src/run/progress.ts';
import type { Report } from '../../src/report/schema.ts';
import { HostGate } from '../support/host-gate.ts';

/**
 * Histories built from real short runs on virtual Picos, recorded as `picogc run` records them.
 * Board "steady" runs a live set of bytearray(48) every night; board "slow" runs bytearray(48) until
 * night `slowFrom`, then a larger bytearray (the injected slowdown: more blocks to mark and sweep).
 * Each run is pause-vs-live (quick profile, 3 interleaved rounds) at 0 and 1000 live objects.
 *
 * Two ways to make the nights:
 * - `recordRealSeries`: one real run per night, back to back. This is what a bench does, and what
 *   the false-alarm measurement (measure-false-alarms.ts) uses. A virtual Pico's pauses are host
 *   time, so on a shared host its nights also move with the host's load: whole runs 1.5–1.8× slower
 *   for as long as a neighbour keeps the CPU busy. Those are real level shifts of what was measured,
 *   and the step detection rightly reports them.
 * - `recordResampledSeries`: real runs of each level (steady 48, slow 48, slow larger), made in
 *   alternation and pooled per level, each night of a board a bootstrap resample of its level's pool.
 *   The within-run noise is real; the host's load shifts between nights are excluded by design. The
 *   host also swings ×2 within seconds (host-gate.ts): a pool mixing both speeds gives nights whose
 *   medians jump between them (a failed run of the test saw `117 128 206 194` before the step), so
 *   the pools' collections are timed only while the host runs at its usual speed (`HostGate`). A
 *   test built on it asserts what the detection does with real noise, and cannot fail because a
 *   neighbour started a build.
 */
export interface SeriesOptions {
  history: string;
  outDir: string;
  nights: number;
  /** 1-based night from which the slow board runs the larger live set. */
  slowFrom: number;
  /** The larger live set's bytearray size (default 192). */
  slowSize?: number;
  seeds?: { slow: number; steady: number };
}

const experiments = selectExperiments(['pause-vs-live']);

export async function recordRealSeries(options: SeriesOptions): Promise<void> {
  const seeds = options.seeds ?? { slow: 1, steady: 2 };
  for (let night = 1; night <= options.nights; night++) {
    const outcome = await realRun(seeds.steady, 48, 'v1', 12, options.outDir);
    await append(options, outcome.report, outcome);
  }
  for (let night = 1; night <= options.nights; night++) {
    const slow = night >= options.slowFrom;
    const outcome = await realRun(
      seeds.slow,
      slow ? (options.slowSize ?? 192) : 48,
      slow ? 'v2-slower' : 'v1',
      12,
      options.outDir,
    );
    await append(options, outcome.report, outcome);
  }
}

/** Real runs per level in the resampled series, alternated between the levels. */
const POOL_RUNS = 4;
/** Repetitions per live-set size in each of those runs: a level's pool holds POOL_RUNS × POOL_REPS. */
const POOL_REPS = 12;
/** Repetitions per size in each resampled night: a quick run's. */
const NIGHT_REPS = 12;

export async function recordResampledSeries(
  options: SeriesOptions & { resampleSeed?: number },
): Promise<void> {
  const gate = await HostGate.open();
  const runs = await recordPools(options, gate).finally(() => gate.close());
  const pooled = (level: Reported[]): Reported => ({
    ...level[0]!,
    // The nights are named after the first run of the pool (`<run id>-night-NN`).
    report: {
      ...poolRuns(level.map((r) => r.report)),
      runId: level[0]!.report.runId,
      board: level[0]!.report.board,
    },
  });
  const [steady, before, after] = [pooled(runs.steady), pooled(runs.before), pooled(runs.after)];
  const random = seededRandom(options.resampleSeed ?? 1);
  for (let night = 1; night <= options.nights; night++) {
    await append(options, resampledNight(steady.report, night, random), steady);
  }
  for (let night = 1; night <= options.nights; night++) {
    const source = night >= options.slowFrom ? after : before;
    await append(options, resampledNight(source.report, night, random), source);
  }
}

type Reported = BoardOutcome & { report: Report; runDir: string };
type Pools = Record<'steady' | 'before' | 'after', Reported[]>;

/** The levels' runs, alternated, their collections gated; made again if the gate's yardstick moved. */
async function recordPools(options: SeriesOptions, gate: HostGate): Promise<Pools> {
  const seeds = options.seeds ?? { slow: 1, steady: 2 };
  const run = (seed: number, size: number, label: string) =>
    realRun(seed, size, label, POOL_REPS, options.outDir, gate);
  for (let attempt = 1; ; attempt++) {
    const epoch = gate.epoch;
    const runs: Pools = { steady: [], before: [], after: [] };
    for (let k = 0; k < POOL_RUNS; k++) {
      runs.steady.push(await run(seeds.steady, 48, 'v1'));
      runs.before.push(await run(seeds.slow, 48, 'v1'));
      runs.after.push(await run(seeds.slow, options.slowSize ?? 192, 'v2-slower'));
    }
    if (gate.epoch === epoch) return runs;
    if (attempt === 3) {
      throw new Error(`the host's usual speed kept changing while the pools were made (${attempt} tries)`);
    }
  }
}

async function realRun(
  seed: number,
  size: number,
  firmwareLabel: string,
  reps: number,
  outDir: string,
  gate?: HostGate,
): Promise<Reported> {
  const outcome = await runBoard(
    { kind: 'sim', seed },
    {
      experiments,
      profile: 'quick',
      overrides: [
        'pause-vs-live.nLive=[0,1000]',
        `pause-vs-live.size=${size}`,
        `pause-vs-live.reps=${reps}`,
      ].map(parseParamOverride),
      outDir,
      firmwareLabel,
      stepTimeoutMs: 30_000,
      lockWaitSeconds: 0,
      command: 'history test',
      powerCycleTimeoutMs: 1_000,
      reconnectTimeoutMs: 1_000,
      progress: silentProgress,
      latestName: `latest-seed-${seed}`,
      ...(gate ? { open: async (target) => gate.gated((await openTarget(target)).device) } : {}),
    },
  );
  if (!outcome.report || !outcome.runDir) throw new Error(`seed ${seed}: ${outcome.error ?? 'no report'}`);
  return outcome as Reported;
}

/** Night N of a run: each metric's repetitions drawn with replacement, `NIGHT_REPS` of them. */
function resampledNight(report: Report, night: number, random: ReturnType<typeof seededRandom>): Report {
  const finished = new Date(Date.UTC(2026, 4, night, 2, 17)).toISOString();
  return {
    ...report,
    runId: `${report.runId}-night-${String(night).padStart(2, '0')}`,
    finishedAt: finished,
    experiments: report.experiments.map((e) => ({
      ...e,
      metrics: e.metrics.map((m) => ({
        ...m,
        values: Array.from({ length: NIGHT_REPS }, () => m.values[random.int(m.values.length)]!),
      })),
    })),
  };
}

async function append(options: SeriesOptions, report: Report, outcome: BoardOutcome): Promise<void> {
  await appendBoardRecord(options.history, outcome, { report });
}
