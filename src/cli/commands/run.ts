import type { Command } from 'commander';
import { failedBoard } from '../error-line.ts';
import type { BoardOutcome } from '../../boards/board-run.ts';
import {
  addBenchOptions,
  decimal,
  DEFAULT_HISTORY,
  historyPath,
  suitePlan,
  type BenchOptionValues,
} from '../options.ts';
import { runSuite } from '../run-suite.ts';

interface RunOptions extends BenchOptionValues {
  json?: boolean;
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
      .option(
        '--baseline <run>',
        'compare each board with this run (a report.json or run directory); exit 1 on a regression',
      )
      .option(
        '--threshold <percent>',
        'with --baseline: smallest change that counts as a regression',
        decimal({ atLeast: 0, unit: '%' }),
        5,
      )
      .option(
        '--json',
        'print report.json to stdout (an array with several boards) instead of the verdict table',
      ),
    DEFAULT_HISTORY,
  ).action(async (options: RunOptions) => {
    const { againstBaseline } = await import('../../boards/baseline.ts');
    const { printBenchOutcomes } = await import('../../boards/outcome-text.ts');
    const { loadReport } = await import('../../report/load.ts');
    const plan = await suitePlan(options);
    // A baseline that cannot be read fails before any board is touched.
    const baseline = options.baseline === undefined ? undefined : loadReport(options.baseline).report;
    // reports/history.jsonl whatever --out says: the history outlives any one output directory.
    const history = historyPath(options, DEFAULT_HISTORY);
    const { outcomes, exitCode } = await runSuite(options, plan, 'run', history);
    // One board that could not be reached fails the way a single-board run always has (and says
    // where its run directory is, when it was locked but never answered).
    const only = outcomes.length === 1 ? outcomes[0]! : undefined;
    if (only && !only.report) {
      process.exitCode = failedBoard(only, program.opts<{ verbose?: boolean }>().verbose === true);
      return;
    }
    if (options.json)
      process.stdout.write(`${JSON.stringify(only ? only.report : jsonOutcomes(outcomes), null, 2)}\n`);
    else printBenchOutcomes(outcomes);
    const verdict = baseline ? againstBaseline(baseline, outcomes, options.threshold) : undefined;
    if (verdict) {
      // Beside --json the comparison goes to stderr, so stdout stays one JSON document.
      (options.json ? process.stderr : process.stdout).write(verdict.text);
      for (const line of verdict.regressions) process.stderr.write(`${line}\n`);
    }
    process.exitCode = verdict?.regressed && exitCode === 0 ? 1 : exitCode;
  });
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
