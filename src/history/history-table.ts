import { formatNumber } from '../format.ts';
import type { MetricTrend, TrendStep } from './trends.ts';

/**
 * `picogc history` as text: per board, per metric, one row per run (median, interval, samples,
 * firmware, verdict), then the steps the detection found. Device text is printed as data: control
 * characters are shown escaped so a label cannot move the cursor or clear the terminal.
 */
export function formatHistoryTables(trends: readonly MetricTrend[]): string {
  if (trends.length === 0) return 'the history is empty\n';
  const out: string[] = [];
  let device: string | undefined;
  for (const trend of trends) {
    if (trend.device !== device) {
      device = trend.device;
      const label = trend.deviceLabel ? ` (${clean(trend.deviceLabel)})` : '';
      out.push(`board ${clean(trend.device)}${label}: ${trend.runsInWindow} runs`, '');
    }
    out.push(`  ${clean(trend.metric)}${trend.unit ? ` (${clean(trend.unit)})` : ''}`);
    const rows = trend.runs.map((r) => [
      String(r.run),
      clean(r.runId),
      clean(r.firmware),
      formatNumber(r.median),
      r.low !== undefined && r.high !== undefined ? `[${formatNumber(r.low)}, ${formatNumber(r.high)}]` : '',
      String(r.n),
      r.verdict,
    ]);
    out.push(...table(['#', 'run', 'firmware', 'median', '95% CI', 'n', 'verdict'], rows, '    '));
    if (trend.steps.length === 0) out.push('    no step detected');
    for (const step of trend.steps) out.push(`    ${describeStep(step, trend.unit)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** "step up at run 5 (…, firmware …): 74.1 → 98.6 µs (+33%)". */
export function describeStep(step: TrendStep, unit: string): string {
  const pct = Number.isFinite(step.changePercent)
    ? `${step.changePercent >= 0 ? '+' : ''}${step.changePercent.toFixed(0)}%`
    : 'from 0';
  return (
    `step ${step.direction} at run ${step.run} (${clean(step.runId)}, firmware ${clean(step.firmware)}): ` +
    `${formatNumber(step.before)} → ${formatNumber(step.after)}${unit ? ` ${clean(unit)}` : ''} (${pct})`
  );
}

function table(head: string[], rows: string[][], indent: string): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all.map(
    (row) =>
      indent +
      row
        .map((cell, c) => (c === 3 || c === 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
  );
}

function clean(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
