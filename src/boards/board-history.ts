import { historyRecordFromReport } from '../history/from-report.ts';
import { appendHistoryRecord } from '../history/store.ts';
import type { HistoryVerdict } from '../history/schema.ts';
import type { BoardOutcome } from './board-run.ts';

/**
 * One board's run becomes one record of the history, named as the board was named and pointing at
 * its run directory. `verdict` overrides the report's (the nightly's `regression`). A board with no
 * report adds nothing.
 */
export async function appendBoardRecord(
  historyPath: string,
  outcome: BoardOutcome,
  options: { verdict?: HistoryVerdict } = {},
): Promise<void> {
  const report = outcome.report;
  if (!report) return;
  await appendHistoryRecord(
    historyPath,
    historyRecordFromReport(report, {
      historyPath,
      label: outcome.label,
      ...(options.verdict ? { verdict: options.verdict } : {}),
      ...(outcome.runDir ? { runDir: outcome.runDir } : {}),
    }),
  );
}
