import { describeStep } from '../history/history-table.ts';
import type { NightlyResult } from './nightly.ts';
import { formatBoardTable, unreachedLine } from './outcome-text.ts';

/** The terminal view of a nightly: the board table, each board's comparison and recovery, the files. */
export function formatNightly(result: NightlyResult): string {
  const lines: string[] = [formatBoardTable(result.boards.map((b) => b.outcome)).trimEnd(), ''];
  for (const b of result.boards) {
    const head = `${b.outcome.label}:`;
    if (!b.outcome.report) {
      lines.push(`${head} FAILED: ${b.outcome.error ?? 'unknown error'}`);
      if (b.outcome.unreached && b.outcome.runDir)
        lines.push(unreachedLine(b.outcome.unreached.stage, b.outcome.runDir).trimEnd());
    } else if (b.comparison) {
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

/** The --json view of a nightly. */
export function nightlyJson(result: NightlyResult) {
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
      ...(b.outcome.unreached ? { unreachedStage: b.outcome.unreached.stage } : {}),
      baseline: b.baseline,
      comparisonNote: b.comparisonNote,
      regressions: b.comparison?.regressions.map((m) => ({ id: m.id, reason: m.reason })),
      recovery: b.outcome.report?.recovery,
    })),
  };
}
