import type { Check } from '../experiments/experiment.ts';
import type { Report } from './schema.ts';

/** A check together with where it comes from: every view lists the same rows. */
export interface CheckRow extends Check {
  experiment: string;
}

/**
 * Every check of a run in report order. An experiment that failed on the device contributes one
 * failed row naming the error, so a view never shows a failed run as a short list of passes.
 */
export function checkRows(report: Report): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const experiment of report.experiments) {
    if (experiment.status === 'failed') {
      rows.push({
        experiment: experiment.id,
        id: `${experiment.id}/run`,
        title: 'experiment ran to the end',
        status: 'fail',
        reason: `${experiment.error ?? 'failed'} (after ${experiment.attempts} attempts)`,
      });
    }
    rows.push(...experiment.checks.map((c) => ({ ...c, experiment: experiment.id })));
  }
  rows.push(...report.crossChecks.map((c) => ({ ...c, experiment: 'across experiments' })));
  return rows;
}

/** One line of detail for a check: observed vs expected and tolerance, or why it was skipped. */
export function checkDetail(check: Check): string {
  if (check.status === 'skipped') return `skipped: ${check.reason ?? 'no reason given'}`;
  const parts = [
    check.observed !== undefined ? `observed ${check.observed}` : undefined,
    check.expected !== undefined ? `expected ${check.expected}` : undefined,
    check.tolerance !== undefined ? `tolerance ${check.tolerance}` : undefined,
    check.reason,
  ];
  return parts.filter((p): p is string => p !== undefined && p !== '').join('; ');
}
