import type { Command } from 'commander';
import type { BoardOutcome } from '../../boards/board-run.ts';
import {
  addBenchOptions,
  boardRequest,
  boardRunSettings,
  DEFAULT_HISTORY,
  historyPath,
  integer,
  nonNegative,
  type BenchOptionValues,
} from '../../boards/cli-options.ts';
import { printBenchOutcomes } from '../../boards/outcome-text.ts';
import { collect } from '../device-options.ts';
import type { Report } from '../../report/schema.ts';

interface RunOptions extends BenchOptionValues {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  out: string;
  json?: boolean;
  stepTimeout: number;
  set: string[];
  baseline?: string;
  threshold: number;
}

/**
 * `picogc run`: the main job. Runs the suite on every board named (in parallel, each locked), writes
 * reports/<run-id>/ per board, appends one history record per board, exits with the worst board's
 * code: 0 pass, 1 a check failed, 3 a board or its link failed.
 */
export function register(program: Command): void {
  addBenchOptions(
    program
      .command('run')
      .description('run the GC experiments on one or more boards and write a report per board')
      .option('-e, --experiments <ids>', 'comma-separated experiment ids (default: all)')
      .option('-q, --quick', 'the quick profile: fewer sizes and repetitions')
      .option('--reps <n>', 'repetitions per timed configuration', integer('--reps'))
      .option(
        '--set <experiment.param=json>',
        'override a parameter, repeatable (e.g. pause-vs-live.size=96)',
        collect,
        [],
      )
      .option('-o, --out <dir>', 'where run directories are written', 'reports')
      .option('--step-timeout <ms>', 'deadline of one device call', integer('--step-timeout'), 30_000)
      .option(
        '--baseline <run>',
        'compare each board with this run (a report.json or run directory); exit 1 on a regression',
      )
      .option(
        '--threshold <percent>',
        'with --baseline: smallest change that counts as a regression',
        nonNegative('--threshold', 'percent'),
        5,
      )
      .option(
        '--json',
        'print report.json to stdout (an array with several boards) instead of the verdict table',
      ),
    DEFAULT_HISTORY,
  ).action(async (options: RunOptions) => {
    // What runs a suite is loaded when one runs, not at every start (picogc --help).
    const { runBench } = await import('../../boards/bench-run.ts');
    const { appendBoardRecord } = await import('../../boards/board-history.ts');
    const { resolveBoardTargets } = await import('../../boards/board-target.ts');
    const { loadReport } = await import('../../report/load.ts');
    const plan = await planSuite(options);
    // A baseline that cannot be read fails before any board is touched.
    const baseline = options.baseline === undefined ? undefined : loadReport(options.baseline).report;
    const targets = await resolveBoardTargets(boardRequest(options));
    // reports/history.jsonl whatever --out says: the history outlives any one output directory.
    const history = historyPath(options, DEFAULT_HISTORY);
    const { outcomes, exitCode } = await runBench(targets, {
      ...plan,
      ...boardRunSettings(options, commandLine('run')),
      ...(history ? { onBoardDone: (outcome) => appendBoardRecord(history, outcome) } : {}),
    });
    // One board that could not be reached fails the way a single-board run always has.
    const only = outcomes.length === 1 ? outcomes[0]! : undefined;
    if (only && !only.report) throw only.cause;
    if (options.json)
      process.stdout.write(`${JSON.stringify(only ? only.report : jsonOutcomes(outcomes), null, 2)}\n`);
    else printBenchOutcomes(outcomes);
    const regressed = baseline
      ? await againstBaseline(
          baseline,
          outcomes,
          options.threshold,
          options.json ? process.stderr : process.stdout,
        )
      : false;
    process.exitCode = regressed && exitCode === 0 ? 1 : exitCode;
  });
}

/** The experiments and their parameters, checked before any board is touched: a typo costs nothing. */
export async function planSuite(options: {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  set: string[];
}) {
  const { checkOverrides, parseParamOverride, resolveParams } = await import('../../experiments/params.ts');
  const { selectExperiments } = await import('../../experiments/index.ts');
  const experiments = selectExperiments(
    options.experiments
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const overrides = options.set.map(parseParamOverride);
  checkOverrides(overrides, experiments);
  const profile = options.quick ? ('quick' as const) : ('default' as const);
  for (const e of experiments) resolveParams(e, profile, options.reps, overrides);
  return {
    experiments,
    profile,
    overrides,
    ...(options.reps !== undefined ? { reps: options.reps } : {}),
  };
}

/**
 * `--baseline`: each board's run against the baseline, as `picogc compare` prints it (to stderr when
 * stdout carries --json). True when a metric regressed.
 */
async function againstBaseline(
  baseline: Report,
  outcomes: readonly BoardOutcome[],
  threshold: number,
  out: NodeJS.WritableStream,
): Promise<boolean> {
  const { compareReports } = await import('../../analysis/compare.ts');
  const { formatComparison, regressionLines } = await import('../../analysis/compare-format.ts');
  let regressed = false;
  for (const outcome of outcomes) {
    if (!outcome.report) continue;
    const comparison = compareReports(baseline, outcome.report, { thresholdPercent: threshold });
    out.write(`\n${outcome.label} against the baseline ${baseline.runId}:\n${formatComparison(comparison)}`);
    for (const line of regressionLines(comparison)) process.stderr.write(`${line}\n`);
    regressed ||= comparison.exitCode === 1;
  }
  return regressed;
}

function jsonOutcomes(outcomes: readonly BoardOutcome[]) {
  return outcomes.map((o) => ({
    board: o.label,
    exitCode: o.exitCode,
    ...(o.error ? { error: o.error } : {}),
    ...(o.runDir ? { runDir: o.runDir } : {}),
    ...(o.report ? { report: o.report } : {}),
  }));
}

/** What the lock's holder note says this process is running. */
export function commandLine(name: string): string {
  return ['picogc', name, ...process.argv.slice(3)].join(' ').slice(0, 300);
}
