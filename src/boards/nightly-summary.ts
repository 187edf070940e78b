import { relative } from 'node:path';
import { checkDetail, checkRows } from '../report/checks.ts';
import { md } from '../report/markdown.ts';
import { describeStep } from '../history/history-table.ts';
import type { TrendPageResult } from '../history/trend-page.ts';
import type { BoardNightly } from './nightly-board.ts';

/** Steps this recent (in runs of their board) are news; older ones were reported before. */
const RECENT_RUNS = 10;
/** A job summary is read at a glance: long error texts (a buffer tail) are cut here; the report has them whole. */
const MAX_DETAIL = 300;

function short(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/**
 * summary.md of a nightly, for `$GITHUB_STEP_SUMMARY` or a mail: the verdict, one table row a board
 * (verdict, what it was compared with, regressions), then what needs reading: regressions with
 * their reasons, failed checks, boards that failed and the recovery rungs taken, recent steps in the
 * trends. Device text is escaped for Markdown.
 */
export function renderNightlySummary(
  boards: readonly BoardNightly[],
  context: { exitCode: 0 | 1 | 3; trend?: TrendPageResult; trendError?: string; outDir: string },
): string {
  const verdict =
    context.exitCode === 3 ? 'ERROR (a board or its link failed)' : context.exitCode === 1 ? 'FAIL' : 'PASS';
  const lines = [
    `# picogc nightly: ${verdict}`,
    '',
    '| Board | Id | Firmware | Verdict | Compared with | Regressions | Report |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const b of boards) {
    const r = b.outcome.report;
    const firmware = r ? (r.options.firmwareLabel ?? `${r.device.firmware.version}`) : '';
    lines.push(
      `| ${md(b.outcome.label)} | ${md(b.outcome.deviceId ?? '-')} | ${md(firmware)} | ${b.historyVerdict ?? 'error'} | ` +
        `${b.baseline ? md(b.baseline.runId) : md(b.comparisonNote ? 'nothing yet' : '-')} | ` +
        `${b.comparison ? b.comparison.regressions.length : '-'} | ` +
        `${b.outcome.runDir ? md(relative(context.outDir, b.outcome.runDir) || b.outcome.runDir) : md(short(b.outcome.error ?? ''))} |`,
    );
  }
  for (const b of boards) {
    const r = b.outcome.report;
    const section: string[] = [];
    if (!r) section.push(`- **Failed:** ${md(short(b.outcome.error ?? 'the board could not be used'))}`);
    if (b.outcome.unreached && b.outcome.runDir) {
      section.push(
        `- **Never reached** (${b.outcome.unreached.stage}); report: ${md(relative(context.outDir, b.outcome.runDir) || b.outcome.runDir)}`,
      );
    }
    for (const m of b.comparison?.regressions ?? [])
      section.push(`- **Regression** ${md(m.id)}: ${md(m.reason)}`);
    for (const row of r ? checkRows(r).filter((c) => c.status === 'fail') : []) {
      section.push(
        `- **Check failed** ${md(row.experiment)}: ${md(row.title)} — ${md(short(checkDetail(row)))}`,
      );
    }
    if (r?.notRun) {
      section.push(`- **Not run:** ${md(r.notRun.experiments.join(', '))} (${md(short(r.notRun.reason))})`);
    }
    for (const e of r?.recovery ?? []) {
      section.push(
        `- Recovery ${e.ok ? 'ok' : 'failed'}: ${md(e.rung)} during ${md(e.experiment)} — ${md(short(e.detail))}`,
      );
    }
    if (b.comparisonNote) section.push(`- ${md(b.comparisonNote)}`);
    if (section.length > 0) lines.push('', `## ${md(b.outcome.label)}`, '', ...section);
  }
  const trend = context.trend;
  if (trend) {
    const latest = new Map(trend.trends.map((t) => [t.device, Math.max(0, ...t.runs.map((x) => x.run))]));
    const recent = trend.steps.filter((s) => s.run > (latest.get(s.device) ?? 0) - RECENT_RUNS);
    lines.push('', '## Trends', '');
    lines.push(
      `Trend page: \`${md(relative(context.outDir, trend.file) || trend.file)}\` in the report directory.`,
    );
    if (recent.length === 0) lines.push('', `No step in the last ${RECENT_RUNS} runs of any board.`);
    for (const s of recent) lines.push(`- ${md(s.device)} ${md(s.metric)}: ${md(describeStep(s, s.unit))}`);
    if (trend.warnings.length > 0)
      lines.push('', `${trend.warnings.length} damaged history lines were skipped.`);
  } else if (context.trendError) {
    lines.push('', '## Trends', '', `No trend page: ${md(context.trendError)}`);
  }
  return `${lines.join('\n')}\n`;
}
