import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import {
  addBenchOptions,
  boardRunSettings,
  commandLine,
  decimal,
  historyPath,
  suitePlan,
  targetRequest,
  withFirmwareFile,
  type BenchOptionValues,
} from '../options.ts';

interface NightlyOptions extends BenchOptionValues {
  junit?: string;
  json?: boolean;
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
      .option('--junit <file>', 'combined JUnit XML of every board (default: OUT/junit.xml)')
      .option(
        '--threshold <percent>',
        'smallest change of a median that counts as a regression (default 5)',
        decimal({ atLeast: 0, unit: '%' }),
      )
      .option('--json', 'print the outcome of every board as JSON'),
    'OUT/history.jsonl',
  ).action(async (options: NightlyOptions) => {
    const { runNightly } = await import('../../boards/nightly.ts');
    const { formatNightly, nightlyJson } = await import('../../boards/nightly-text.ts');
    const { resolveTargets } = await import('../../device/target.ts');
    const plan = await suitePlan(options);
    // The nightly keeps its whole state in OUT: run directories, history, trend page, summary.
    const history = historyPath(options, join(options.out, 'history.jsonl'));
    if (!history)
      throw new UsageError('the nightly compares against the history: --no-history is not possible here');
    // --firmware v1.28.0 becomes its cached file here, after the cheap checks, before any board.
    const bench = await withFirmwareFile(options);
    const targets = await resolveTargets(targetRequest(bench));
    const result = await runNightly(targets, {
      ...plan,
      ...boardRunSettings(bench, commandLine('nightly')),
      historyPath: history,
      junitPath: options.junit ?? join(options.out, 'junit.xml'),
      ...(options.threshold !== undefined ? { rule: { thresholdPercent: options.threshold } } : {}),
    });
    if (options.json) process.stdout.write(`${JSON.stringify(nightlyJson(result), null, 2)}\n`);
    else process.stdout.write(formatNightly(result));
    process.exitCode = result.exitCode;
  });
}
