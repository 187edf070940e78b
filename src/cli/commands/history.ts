import type { Command } from 'commander';
import { decimal, wholeNumber } from '../options.ts';
import { DEFAULT_TREND } from '../../history/trends.ts';

interface HistoryOptions {
  history: string;
  device?: string;
  metric?: string;
  json?: boolean;
  window: number;
  minStep: number;
}

/**
 * `picogc history`: each board's runs metric by metric (median, 95% interval, firmware, verdict)
 * and the steps the change-point detection finds, naming the first run and firmware of each new
 * level and the size of the change. Skipped history lines are warned about on stderr, never fatal.
 */
export function register(program: Command): void {
  program
    .command('history')
    .description('show metrics across runs per board, with detected steps (change points)')
    .option('--history <path>', 'the history file', 'reports/history.jsonl')
    .option('--device <id>', 'only this board (its unique id, or its label such as the port)')
    .option('--metric <name>', 'only this metric (or the metrics whose name contains it)')
    .option('--window <n>', 'the latest N runs of each board', wholeNumber(1), DEFAULT_TREND.window)
    .option(
      '--min-step <percent>',
      'ignore steps smaller than this percentage of the earlier level',
      decimal({ atLeast: 0, unit: '%' }),
      DEFAULT_TREND.minStepPercent,
    )
    .option('--json', 'print the trends and steps as JSON')
    .action(async (options: HistoryOptions) => {
      const { formatHistoryTables } = await import('../../history/history-table.ts');
      const { historyTrends } = await import('../../history/trends.ts');
      const { formatHistoryWarning, readHistory } = await import('../../history/store.ts');
      const { records, warnings } = await readHistory(options.history);
      for (const warning of warnings) {
        process.stderr.write(`picogc: warning: ${formatHistoryWarning(options.history, warning)}\n`);
      }
      const trends = historyTrends(records, {
        ...(options.device !== undefined ? { device: options.device } : {}),
        ...(options.metric !== undefined ? { metric: options.metric } : {}),
        window: options.window,
        minStepPercent: options.minStep,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ history: options.history, runs: records.length, warnings, trends }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(formatHistoryTables(trends));
      }
    });
}
