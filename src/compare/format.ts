import { formatNumber, formatP, signedPercent } from '../format.ts';
import {
  type Comparison,
  type MetricComparison,
  type MetricRef,
  type MetricVerdict,
  type RunSide,
} from './compare-reports.ts';

/** One line per regressed metric, for stderr: `picogc compare` and `picogc run --baseline` print these. */
export function regressionLines(c: Comparison): string[] {
  return c.regressions.map((m) => `picogc: regression: ${m.id} (${m.title}): ${m.reason}`);
}

const VERDICT_WORD: Record<MetricVerdict, string> = {
  regression: 'REGRESSION',
  improvement: 'improvement',
  'no-change': 'no change',
  'insufficient-data': 'too few values',
  'not-comparable': 'not comparable',
};

export interface FormatOptions {
  /** List exact metrics that did not change one by one (default: one line per experiment). */
  all?: boolean;
}

/**
 * The comparison as text for a terminal or a CI log: both runs, the rule, notes, a table of the
 * metrics, the regressions with their reasons, what is missing, the checks that changed, a verdict.
 */
export function formatComparison(c: Comparison, options: FormatOptions = {}): string {
  const out: string[] = [];
  const runLine = (label: string, s: RunSide) =>
    `${label} ${s.runId}: ${s.device}, ${s.firmware}${s.firmwareLabel ? ` (${s.firmwareLabel})` : ''}, ${s.profile} profile`;
  out.push(runLine('baseline', c.baseline), runLine('current ', c.current));
  out.push(
    `rule     regression = the ${Math.round(c.rule.confidence * 100)}% CI of the median's change lies entirely ` +
      `beyond ${c.rule.thresholdPercent}% in the worse direction, Mann–Whitney p < ${c.rule.alpha} after Holm's ` +
      `correction over the metrics, and a duration moved by more than ${formatNumber(c.rule.floorUs ?? 0)} µs ` +
      '(the timing floor); metrics without spread on both sides are compared exactly',
  );
  if (c.notes.length > 0) out.push('', ...c.notes.map((n) => `note: ${n}`));

  const shown = options.all
    ? c.metrics
    : c.metrics.filter((m) => !(m.method === 'exact' && m.verdict === 'no-change' && m.changePercent === 0));
  const hidden = c.metrics.filter((m) => !shown.includes(m));
  const rows = shown.map((m) => [
    m.id,
    m.method === 'none' ? '—' : `${formatNumber(m.baseline.median)} ${m.unit}`,
    m.method === 'none' ? '—' : `${formatNumber(m.current.median)} ${m.unit}`,
    m.changePercent === null ? '—' : signedPercent(m.changePercent),
    m.interval
      ? `[${signedPercent(m.interval.low)}, ${signedPercent(m.interval.high)}]`
      : m.method === 'exact'
        ? 'exact'
        : '—',
    m.adjustedP !== null ? formatP(m.adjustedP) : m.pValue === null ? '—' : formatP(m.pValue),
    `${VERDICT_WORD[m.verdict]}${m.unstable ? ' (unstable)' : ''}`,
  ]);
  out.push(
    '',
    ...table(
      [
        'metric',
        'baseline',
        'current',
        'change',
        `${Math.round(c.rule.confidence * 100)}% CI`,
        'p (Holm)',
        'verdict',
      ],
      rows,
    ),
  );
  if (hidden.length > 0) {
    const byExperiment = new Map<string, number>();
    for (const m of hidden) byExperiment.set(m.experiment, (byExperiment.get(m.experiment) ?? 0) + 1);
    for (const [experiment, n] of byExperiment) {
      out.push(
        `(${experiment}: ${n} more metric${n === 1 ? '' : 's'} identical on both sides, compared exactly; --all lists them)`,
      );
    }
  }

  const explain = (title: string, list: MetricComparison[]) => {
    if (list.length === 0) return;
    out.push('', `${title} (${list.length}):`);
    for (const m of list) out.push(`  ${m.id} — ${m.title}: ${m.reason}`);
  };
  explain('regressions', c.regressions);
  explain('improvements', c.improvements);
  explain(
    'not judged',
    c.metrics.filter((m) => m.verdict === 'insufficient-data' || m.verdict === 'not-comparable'),
  );

  const missing = (title: string, list: MetricRef[]) => {
    if (list.length === 0) return;
    out.push('', `${title} (${list.length}):`);
    for (const m of list) out.push(`  ${m.id} — ${m.title}${m.why ? ` (${m.why})` : ''}`);
  };
  missing('only in the baseline', c.onlyInBaseline);
  missing('only in the current run', c.onlyInCurrent);

  if (c.checkChanges.length > 0) {
    out.push('', `checks that changed (${c.checkChanges.length}):`);
    for (const k of c.checkChanges) {
      const mark = k.newlyFailing ? 'NEWLY FAILING' : `${k.baseline} → ${k.current}`;
      out.push(
        `  ${mark}: ${k.experiment} / ${k.title}${k.newlyFailing ? ` (was ${k.baseline})` : ''}${k.detail ? ` — ${k.detail}` : ''}`,
      );
    }
  }

  const failing = c.checkChanges.filter((k) => k.newlyFailing).length;
  out.push(
    '',
    c.regressions.length > 0
      ? `verdict: REGRESSION — ${c.regressions.length} metric${c.regressions.length === 1 ? '' : 's'} regressed: ${c.regressions.map((m) => m.id).join(', ')}`
      : `verdict: no regression in ${c.metrics.length} shared metrics` +
          (failing > 0 ? `; ${failing} check${failing === 1 ? '' : 's'} newly failing (listed above)` : ''),
  );
  return `${out.join('\n')}\n`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
