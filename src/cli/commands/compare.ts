import { Option, type Command } from 'commander';
import type { Report } from '../../report/schema.ts';
import { UsageError } from '../../errors.ts';
import { decimal } from '../options.ts';

interface CompareOptions {
  threshold: number;
  alpha: number;
  json?: boolean;
  all?: boolean;
}

/**
 * `picogc compare BASELINE CURRENT`: every shared metric's change with its confidence interval and
 * the regression verdict. Exit 1 when a metric regressed (each named on stderr), 2 for a file that
 * is missing, malformed or of an unknown schema version, else 0. Either side may name several runs
 * of one configuration, comma-separated: they are pooled (see poolRuns).
 */
export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two runs (report.json files or run directories): change, 95% CI, regression verdict',
    )
    .argument('<baseline>', 'the baseline: a report.json or a run directory (a,b,c: several runs, pooled)')
    .argument('<current>', 'the run to judge: a report.json or a run directory (a,b,c: pooled)')
    .addOption(
      new Option('--threshold <percent>', 'smallest change that counts as a regression, in percent')
        .argParser(decimal({ atLeast: 0, unit: '%' }))
        .default(5),
    )
    .addOption(
      new Option('--alpha <p>', 'significance level of the Mann–Whitney test')
        .argParser(decimal({ above: 0, below: 1 }))
        .default(0.01),
    )
    .option('--all', 'list every metric, including exact ones that did not change')
    .option('--json', 'print the comparison as JSON')
    .action(async (baselinePath: string, currentPath: string, options: CompareOptions) => {
      const { compareReports } = await import('../../compare/compare-reports.ts');
      const { formatComparison, regressionLines } = await import('../../compare/format.ts');
      const comparison = compareReports(await loadSide(baselinePath), await loadSide(currentPath), {
        thresholdPercent: options.threshold,
        alpha: options.alpha,
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify(comparison, jsonNumbers, 2)}\n`
          : formatComparison(comparison, { all: options.all === true }),
      );
      for (const line of regressionLines(comparison)) process.stderr.write(`${line}\n`);
      process.exitCode = comparison.exitCode;
    });
}

/** One side: a run, or several runs of one configuration (comma-separated) pooled into one. */
async function loadSide(paths: string): Promise<Report> {
  const { poolRuns } = await import('../../compare/pool-runs.ts');
  const { loadReport } = await import('../../report/load.ts');
  const list = paths
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError(`no run given in "${paths}"`);
  return poolRuns(list.map((p) => loadReport(p).report));
}

/** JSON has no ±Infinity (a change from a zero baseline): write them as strings rather than null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
