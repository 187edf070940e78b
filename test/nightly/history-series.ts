import { appendBoardRecord } from '../../src/boards/board-history.ts';
import { runBoard, type BoardOutcome } from '../../src/boards/board-run.ts';
import { selectExperiments } from '../../src/experiments/index.ts';
import { parseParamOverride } from '../../src/experiments/params.ts';
import { silentProgress } from '../../src/run/progress.ts';

/**
 * A history of real short runs on two virtual Picos, recorded night by night as `picogc nightly`
 * records a bench: both boards of a night run at once, each appends its record. Board "steady" runs
 * a live set of bytearray(48) every night; board "slow" runs bytearray(48) until night `slowFrom`,
 * then bytearray(`slowSize`) (the injected slowdown: one more block per object to mark and sweep).
 * Each run is pause-vs-live (quick profile) at 0 and 1000 live objects.
 *
 * Nothing here guards against the host: the virtual Pico's work clock gives the same pauses for the
 * same work on any host under any load, so a night's medians differ from the night before only
 * where the live set does.
 */
export interface SeriesOptions {
  history: string;
  outDir: string;
  nights: number;
  /** 1-based night from which the slow board runs the larger live set. */
  slowFrom: number;
  /** The larger bytearray's size (default 52). */
  slowSize?: number;
  seeds: { slow: number; steady: number };
}

const experiments = selectExperiments(['pause-vs-live']);

export async function recordSeries(options: SeriesOptions): Promise<void> {
  for (let night = 1; night <= options.nights; night++) {
    const slowed = night >= options.slowFrom;
    const outcomes = await Promise.all([
      run(options.seeds.steady, 48, 'v1', options.outDir),
      run(
        options.seeds.slow,
        slowed ? (options.slowSize ?? 52) : 48,
        slowed ? 'v2-slower' : 'v1',
        options.outDir,
      ),
    ]);
    for (const outcome of outcomes) await appendBoardRecord(options.history, outcome);
  }
}

async function run(seed: number, size: number, firmwareLabel: string, outDir: string): Promise<BoardOutcome> {
  const outcome = await runBoard(
    { kind: 'sim', seed },
    {
      experiments,
      profile: 'quick',
      overrides: ['pause-vs-live.nLive=[0,1000]', `pause-vs-live.size=${size}`].map(parseParamOverride),
      outDir,
      firmwareLabel,
      stepTimeoutMs: 30_000,
      lockWaitSeconds: 0,
      command: 'history test',
      powerCycleTimeoutMs: 1_000,
      reconnectTimeoutMs: 1_000,
      progress: silentProgress,
      latestName: `latest-seed-${seed}`,
    },
  );
  if (!outcome.report) throw new Error(`seed ${seed}: ${outcome.error ?? 'no report'}`);
  return outcome;
}
