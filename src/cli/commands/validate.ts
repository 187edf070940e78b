import type { Command } from 'commander';
import {
  addBenchOptions,
  boardRequest,
  boardRunSettings,
  collect,
  historyPath,
  integer,
  type BenchOptionValues,
} from '../../boards/cli-options.ts';
import { printBenchOutcomes } from '../../boards/outcome-text.ts';
import { checkRows } from '../../report/checks.ts';
import type { Report } from '../../report/schema.ts';
import { commandLine, planSuite } from './run.ts';

interface ValidateOptions extends BenchOptionValues {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  set: string[];
  out: string;
  stepTimeout: number;
}

export interface ValidationVerdict {
  /** 0 every applicable check passed; 1 a check failed (or none could run); 3 the device failed. */
  exitCode: 0 | 1 | 3;
  applicable: number;
  passed: number;
  /** Checks the device cannot show, each with its reason: not failures. */
  skipped: number;
  /** One line per reason the firmware is not validated. */
  problems: string[];
}

/**
 * The strict reading of a run: every applicable check must pass. A check skipped with a reason
 * (the device cannot show it) does not count against the firmware; a skip without a reason does,
 * as a silent pass would. A run in which no check could run validates nothing and fails. An
 * experiment that did not complete is a device or link failure (3), which outranks a failed check.
 */
export function validationVerdict(report: Report): ValidationVerdict {
  const rows = checkRows(report);
  const problems: string[] = [];
  const failedExperiments = report.experiments.filter((e) => e.status === 'failed');
  for (const e of failedExperiments)
    problems.push(`experiment ${e.id} did not complete: ${e.error ?? 'unknown error'}`);
  const missing = report.options.experiments.filter((id) => !report.experiments.some((e) => e.id === id));
  for (const id of missing) problems.push(`experiment ${id} was not run`);

  for (const r of rows) {
    if (r.status === 'fail' && r.id !== `${r.experiment}/run`)
      problems.push(`check failed: ${r.experiment} / ${r.title}`);
    if (r.status === 'skipped' && !r.reason?.trim()) {
      problems.push(`check skipped without a reason: ${r.experiment} / ${r.title}`);
    }
  }
  const applicable = rows.filter((r) => r.status !== 'skipped');
  const passed = applicable.filter((r) => r.status === 'pass').length;
  if (applicable.length === 0 && failedExperiments.length === 0) {
    problems.push('no check could run on this device: nothing was validated');
  }
  const deviceFailed = failedExperiments.length > 0 || missing.length > 0 || report.verdict === 'error';
  return {
    exitCode: deviceFailed ? 3 : problems.length > 0 ? 1 : 0,
    applicable: applicable.length,
    passed,
    skipped: rows.filter((r) => r.status === 'skipped' && r.reason?.trim()).length,
    problems,
  };
}

/**
 * `picogc validate`: run the suite against every board named (as `picogc run` does: locks,
 * recovery, `--firmware` flashed and confirmed first) and exit 0 only when every applicable check
 * passes on every board. Prints each verdict table, then the verdict. History only with --history.
 */
export function register(program: Command): void {
  addBenchOptions(
    program
      .command('validate')
      .description('run the checks strictly: exit 0 only when every applicable check passes')
      .option('-e, --experiments <ids>', 'comma-separated experiment ids (default: all)')
      .option('-q, --quick', 'the quick profile: fewer sizes and repetitions')
      .option('--reps <n>', 'repetitions per timed configuration', integer('--reps'))
      .option('--set <experiment.param=json>', 'override a parameter, repeatable', collect, [])
      .option('-o, --out <dir>', 'where run directories are written', 'reports')
      .option('--step-timeout <ms>', 'deadline of one device call', integer('--step-timeout'), 30_000),
    'none; validate appends only when --history is given',
  ).action(async (options: ValidateOptions) => {
    // What runs a suite is loaded when one runs, not at every start (picogc --help).
    const { runBench, worstExitCode } = await import('../../boards/bench-run.ts');
    const { appendBoardRecord } = await import('../../boards/board-history.ts');
    const { resolveBoardTargets } = await import('../../boards/board-target.ts');
    const plan = await planSuite(options);
    const targets = await resolveBoardTargets(boardRequest(options));
    const history = typeof options.history === 'string' ? historyPath(options, '') : undefined;
    const { outcomes } = await runBench(targets, {
      ...plan,
      ...boardRunSettings(options, commandLine('validate')),
      ...(history ? { onBoardDone: (outcome) => appendBoardRecord(history, outcome) } : {}),
    });
    // One board that could not be reached (or runs another build than --firmware) fails as such.
    const only = outcomes.length === 1 ? outcomes[0]! : undefined;
    if (only && !only.report) throw only.cause;
    printBenchOutcomes(outcomes);
    const codes: (0 | 1 | 3)[] = [];
    for (const outcome of outcomes) {
      if (!outcome.report) {
        codes.push(outcome.exitCode);
        continue;
      }
      const verdict = validationVerdict(outcome.report);
      codes.push(verdict.exitCode);
      process.stdout.write(
        `\nvalidate${outcomes.length > 1 ? ` ${outcome.label}` : ''}: ${verdict.exitCode === 0 ? 'PASS' : 'FAIL'} — ` +
          `${verdict.passed} of ${verdict.applicable} applicable checks passed, ` +
          `${verdict.skipped} skipped with a reason (the device cannot show them)\n`,
      );
      for (const p of verdict.problems) process.stderr.write(`picogc: ${p}\n`);
    }
    process.exitCode = worstExitCode(codes);
  });
}
