import { printVerdictTable } from '../report/verdict-table.ts';
import type { RecoveryEvent } from '../report/recovery-event.ts';
import type { UnreachedStage } from '../report/unreached.ts';
import type { BoardOutcome } from './board-run.ts';

/**
 * The terminal view of a bench run: each board's verdict table (as `picogc run` prints for one
 * board), the recovery rungs taken, and with several boards a closing table, one line a board.
 */
export function printBenchOutcomes(
  outcomes: readonly BoardOutcome[],
  out: NodeJS.WriteStream = process.stdout,
): void {
  const several = outcomes.length > 1;
  for (const outcome of outcomes) {
    if (several) out.write(`\n== ${outcome.label} ==\n`);
    if (outcome.report && outcome.runDir) {
      printVerdictTable(outcome.report, outcome.runDir, out);
      if (outcome.report.recovery?.length) out.write(formatRecovery(outcome.report.recovery));
      if (outcome.report.notRun) {
        out.write(
          `not run: ${outcome.report.notRun.experiments.join(', ')} (${outcome.report.notRun.reason})\n`,
        );
      }
    } else {
      out.write(`board ${outcome.label}: FAILED: ${outcome.error ?? 'unknown error'}\n`);
      if (outcome.unreached && outcome.runDir)
        out.write(unreachedLine(outcome.unreached.stage, outcome.runDir));
    }
  }
  if (several) out.write(`\n${formatBoardTable(outcomes)}`);
}

/** Where the report of a board that never answered is, and how far its run got. */
export function unreachedLine(stage: UnreachedStage, runDir: string): string {
  return `  never reached (${stage}); report: ${runDir}\n`;
}

export function formatRecovery(events: readonly RecoveryEvent[]): string {
  const lines = events.map(
    (e) => `  ${e.ok ? 'ok    ' : 'failed'} ${e.rung.padEnd(12)} (${e.experiment}) ${e.detail}`,
  );
  return `recovery:\n${lines.join('\n')}\n`;
}

/** One line a board: label, id, verdict, exit code, where its report is (or why there is none). */
export function formatBoardTable(outcomes: readonly BoardOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.label,
    o.deviceId ?? '-',
    o.report?.verdict ?? 'error',
    String(o.exitCode),
    o.runDir ?? o.error ?? '',
  ]);
  const all = [['BOARD', 'ID', 'VERDICT', 'EXIT', 'REPORT'], ...rows];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  return `${all
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
