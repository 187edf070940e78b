import type { Comparison } from '../compare/compare-reports.ts';
import type { HistoryVerdict } from '../history/schema.ts';
import type { BoardOutcome } from './board-run.ts';

/** What the nightly made of one board. */
export interface BoardNightly {
  outcome: BoardOutcome;
  /** The run it was compared against: the board's last passing run in the history. */
  baseline?: { runId: string; at: string; firmware?: string; reportDir: string };
  comparison?: Comparison;
  /** Why there was no comparison (first run of the board, its report gone). */
  comparisonNote?: string;
  /** The verdict written to the history (absent when the board gave no report). */
  historyVerdict?: HistoryVerdict;
  /** 0 pass, 1 a failed check or a regression, 3 the board or its link failed. */
  exitCode: 0 | 1 | 3;
}
