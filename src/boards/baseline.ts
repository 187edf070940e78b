import { compareReports } from '../compare/compare-reports.ts';
import { formatComparison, regressionLines } from '../compare/format.ts';
import type { Report } from '../report/schema.ts';
import type { BoardOutcome } from './board-run.ts';

/** Each board's run against one baseline (`run --baseline`): the text compare prints, per board. */
export interface BaselineVerdict {
  /** `compare`'s table for each board that gave a report. */
  text: string;
  /** One line per regressed metric, for stderr. */
  regressions: string[];
  regressed: boolean;
}

export function againstBaseline(
  baseline: Report,
  outcomes: readonly BoardOutcome[],
  thresholdPercent: number,
): BaselineVerdict {
  let text = '';
  const regressions: string[] = [];
  let regressed = false;
  for (const outcome of outcomes) {
    if (!outcome.report) continue;
    const comparison = compareReports(baseline, outcome.report, { thresholdPercent });
    text += `\n${outcome.label} against the baseline ${baseline.runId}:\n${formatComparison(comparison)}`;
    regressions.push(...regressionLines(comparison));
    regressed ||= comparison.exitCode === 1;
  }
  return { text, regressions, regressed };
}
