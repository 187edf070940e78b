import { join } from 'node:path';
import type { Command } from 'commander';
import {
  addBenchOptions,
  boardRequest,
  boardRunSettings,
  collect,
  historyPath,
  integer,
  nonNegative,
  type BenchOptionValues,
} from '../../boards/cli-options.ts';
import type { NightlyResult } from '../../boards/nightly.ts';
import { formatBoardTable } from '../../boards/outcome-text.ts';
import { UsageError } from '../../errors.ts';
import { describeStep } from '../../history/history-table.ts';
import { commandLine, planSuite } from './run.ts';

interface NightlyOptions extends BenchOptionValues {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  set: string[];
  out: string;
  junit?: string;
  json?: boolean;
  stepTimeout: number;
  threshold?: number;
}

/**
 * `picogc nightly`: the unattended job of a self-hosted runner with boards attached. Every board
 * at once, each compared with its own last good run in the history, the history appended, run
 * reports, the trend page (OUT/index.html), combined JUnit and OUT/summary.md written. Exit 1 only
 * on a regression or a failed check, 3 when a board or its link failed.
 */
export function register(program: Command): void {
  addBenchOptions(
    program
      .command('nightly')
      .description(
        'run the suite on every board, compare each with its last good run, append the history, write reports, trend page and JUnit',
      )
      .option('-e, --experiments <ids>', 'comma-separated experiment ids (default: all)')
      .option('-q, --quick', 'the quick profile: fewer sizes and repetitions')
      .option('--reps <n>', 'repetitions per timed configuration', integer('--reps'))
      .option('--set <experiment.param=json>', 'override a parameter, repeatable', collect, [])
      .option(
        '-o, --out <dir>',
        'where run directories, the trend page and summary.md are written',
        'reports',
      )
      .option('--junit <file>', 'combined JUnit XML of every board (default: OUT/junit.xml)')
      .option(
        '--threshold <percent>',
        'smallest change of a median that counts as a regression (default 5)',
        nonNegative('--threshold', 'percent'),
      )
      .option('--step-timeout <ms>', 'deadline of one device call', integer('--step-timeout'), 30_000)
      .option('--json', 'print the outcome of every board as JSON'),
    'OUT/history.jsonl',
  ).action(async (options: NightlyOptions) => {
    const { resolveBoardTargets } = await import('../../boards/board-target.ts');
    const { runNightly } = await import('../../boards/nightly.ts');
    const plan = await planSuite(options);
    // The nightly keeps its whole state in OUT: run directories, history, trend page, summary.
    const history = historyPath(options, join(options.out, 'history.jsonl'));
    if (!history)
      throw new UsageError('the nightly compares against the history: --no-history is not possible here');
    const targets = await resolveBoardTargets(boardRequest(options));
    const result = await runNightly(targets, {
      ...plan,
      ...boardRunSettings(options, commandLine('nightly')),
      historyPath: history,
      junitPath: options.junit ?? join(options.out, 'junit.xml'),
      ...(options.threshold !== undefined ? { rule: { thresholdPercent: options.threshold } } : {}),
    });
    if (options.json) process.stdout.write(`${JSON.stringify(jsonResult(result), null, 2)}\n`);
    else process.stdout.write(formatNightly(result));
    process.exitCode = result.exitCode;
  });
}

function formatNightly(result: NightlyResult): string {
  const lines: string[] = [formatBoardTable(result.boards.map((b) => b.outcome)).trimEnd(), ''];
  for (const b of result.boards) {
    const head = `${b.outcome.label}:`;
    if (!b.outcome.report) lines.push(`${head} FAILED: ${b.outcome.error ?? 'unknown error'}`);
    else if (b.comparison) {
      const r = b.comparison.regressions;
      lines.push(
        `${head} compared with ${b.baseline?.runId ?? '?'}: ${r.length === 0 ? 'no regression' : `${r.length} regression(s)`}`,
      );
      for (const m of r) lines.push(`  regression ${m.id}: ${m.reason}`);
    } else lines.push(`${head} ${b.comparisonNote ?? 'not compared'}`);
    for (const e of b.outcome.report?.recovery ?? []) {
      lines.push(`  recovery ${e.ok ? 'ok' : 'failed'}: ${e.rung} — ${e.detail}`);
    }
  }
  if (result.trend) {
    lines.push('', `trend page: ${result.trend.file}`);
    for (const s of result.trend.steps) lines.push(`  ${s.device} ${s.metric}: ${describeStep(s, s.unit)}`);
  } else if (result.trendError) lines.push('', `no trend page: ${result.trendError}`);
  lines.push(`junit: ${result.junitFile}`, `summary: ${result.summaryFile}`);
  lines.push(`nightly: exit ${result.exitCode}`);
  return `${lines.join('\n')}\n`;
}

function jsonResult(result: NightlyResult) {
  return {
    exitCode: result.exitCode,
    junitFile: result.junitFile,
    summaryFile: result.summaryFile,
    ...(result.trend ? { trendPage: result.trend.file, steps: result.trend.steps } : {}),
    ...(result.trendError ? { trendError: result.trendError } : {}),
    boards: result.boards.map((b) => ({
      board: b.outcome.label,
      id: b.outcome.deviceId,
      exitCode: b.exitCode,
      historyVerdict: b.historyVerdict,
      runDir: b.outcome.runDir,
      error: b.outcome.error,
      baseline: b.baseline,
      comparisonNote: b.comparisonNote,
      regressions: b.comparison?.regressions.map((m) => ({ id: m.id, reason: m.reason })),
      recovery: b.outcome.report?.recovery,
    })),
  };
}
