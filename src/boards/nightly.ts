import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compareReports, type CompareRule, type Comparison } from '../compare/compare-reports.ts';
import type { HistoryVerdict } from '../history/schema.ts';
import { PicogcError } from '../errors.ts';
import { resolveReportDir } from '../history/from-report.ts';
import { lastGoodRecord, readHistory } from '../history/store.ts';
import { writeTrendPage, type TrendPageResult } from '../history/trend-page.ts';
import { loadReport } from '../report/load.ts';
import { runBench, worstExitCode, type BenchOptions } from './bench-run.ts';
import type { BoardOutcome } from './board-run.ts';
import type { DeviceTarget } from '../device/target.ts';
import { renderNightlyJUnit } from './nightly-junit.ts';
import { renderNightlySummary } from './nightly-summary.ts';
import type { BoardNightly } from './nightly-board.ts';
import { appendBoardRecord } from './board-history.ts';

export interface NightlyOptions extends Omit<BenchOptions, 'onBoardDone'> {
  historyPath: string;
  /** Combined JUnit XML of every board (default `<out>/junit.xml`). */
  junitPath: string;
  /** The regression rule (threshold, alpha…) for the comparison with the last good run. */
  rule?: Partial<CompareRule>;
}

export interface NightlyResult {
  boards: BoardNightly[];
  exitCode: 0 | 1 | 3;
  trend?: TrendPageResult;
  /** Why the trend page could not be written, if it could not. */
  trendError?: string;
  junitFile: string;
  summaryFile: string;
}

/**
 * `picogc nightly` in one call: run the suite on every board at once; as each board finishes,
 * compare it with its own last good run in the history (not a fixed baseline file: the reference
 * moves forward with every passing night), then append its record (`regression` when the
 * comparison found one, so tomorrow compares against the last good run again). Then the trend
 * page over the whole history, the combined JUnit XML, and summary.md for the CI job summary.
 * Exit: 3 if any board or link failed, else 1 if any check failed or metric regressed, else 0.
 */
export async function runNightly(
  targets: readonly DeviceTarget[],
  options: NightlyOptions,
): Promise<NightlyResult> {
  const boards = new Map<BoardOutcome, BoardNightly>();
  const { outcomes } = await runBench(targets, {
    ...options,
    onBoardDone: async (outcome) => {
      boards.set(outcome, await judgeBoard(outcome, options));
    },
  });
  const ordered = outcomes.map((o) => boards.get(o) ?? { outcome: o, exitCode: o.exitCode });

  let trend: TrendPageResult | undefined;
  let trendError: string | undefined;
  try {
    trend = await writeTrendPage(options.historyPath, options.outDir, { title: 'picogc nightly: history' });
  } catch (error) {
    // The runs and their reports stand without the page; say why it is missing.
    trendError = describe(error);
  }
  const exitCode = worstExitCode(ordered.map((b) => b.exitCode));
  const junitFile = options.junitPath;
  await writeText(junitFile, renderNightlyJUnit(ordered));
  const summaryFile = join(options.outDir, 'summary.md');
  await writeText(
    summaryFile,
    renderNightlySummary(ordered, { exitCode, trend, trendError, outDir: options.outDir }),
  );
  return {
    boards: ordered,
    exitCode,
    ...(trend ? { trend } : {}),
    ...(trendError ? { trendError } : {}),
    junitFile,
    summaryFile,
  };
}

async function judgeBoard(outcome: BoardOutcome, options: NightlyOptions): Promise<BoardNightly> {
  const report = outcome.report;
  if (!report || !outcome.deviceId) return { outcome, exitCode: outcome.exitCode };
  const { records } = await readHistory(options.historyPath);
  const good = lastGoodRecord(records, outcome.deviceId);
  let comparison: Comparison | undefined;
  let comparisonNote: string | undefined;
  let baseline: BoardNightly['baseline'];
  if (!good) {
    comparisonNote = 'no earlier passing run of this board in the history: nothing to compare against yet';
  } else if (!good.reportDir) {
    comparisonNote = `the last good run ${good.runId} has no report directory in the history`;
  } else {
    baseline = {
      runId: good.runId,
      at: good.at,
      ...(good.device.firmware ? { firmware: good.device.firmware } : {}),
      reportDir: resolveReportDir(options.historyPath, good.reportDir),
    };
    try {
      comparison = compareReports(loadReport(baseline.reportDir).report, report, options.rule ?? {});
    } catch (error) {
      comparisonNote = `cannot compare with the last good run ${good.runId}: ${describe(error)}`;
    }
  }
  const regressed = (comparison?.regressions.length ?? 0) > 0;
  const historyVerdict: HistoryVerdict =
    report.verdict === 'error' ? 'error' : regressed ? 'regression' : report.verdict;
  await appendBoardRecord(options.historyPath, outcome, { verdict: historyVerdict });
  return {
    outcome,
    ...(baseline ? { baseline } : {}),
    ...(comparison ? { comparison } : {}),
    ...(comparisonNote ? { comparisonNote } : {}),
    historyVerdict,
    exitCode: worstExitCode([outcome.exitCode, regressed ? 1 : 0]),
  };
}

async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

function describe(error: unknown): string {
  if (error instanceof PicogcError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
