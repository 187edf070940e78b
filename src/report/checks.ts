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

/** A row of a verdict table: one check, or an experiment's passing checks taken together. */
export interface GroupedRow {
  experiment: string;
  check: string;
  status: Check['status'];
  detail: string;
}

/** An experiment with more checks than this shows its passing ones as one row (failures stay listed). */
const GROUP_PASSING_OVER = 8;

/**
 * The verdict table's rows. An experiment with many checks (alloc-sizes has one per object) shows
 * its passes as one row naming them, so the table stays readable; every failure and every skip
 * keeps a row of its own, in place.
 */
export function groupedRows(report: Report): GroupedRow[] {
  const rows = checkRows(report);
  const out: GroupedRow[] = [];
  for (let i = 0; i < rows.length;) {
    const experiment = rows[i]!.experiment;
    let end = i;
    while (end < rows.length && rows[end]!.experiment === experiment) end++;
    const group = rows.slice(i, end);
    const passing = group.filter((r) => r.status === 'pass');
    const collapse = group.length > GROUP_PASSING_OVER && passing.length > 1;
    let placed = false;
    for (const r of group) {
      if (collapse && r.status === 'pass') {
        if (placed) continue;
        placed = true;
        out.push({
          experiment,
          check: `${passing.length} of ${group.length} checks pass`,
          status: 'pass',
          detail: summarizeTitles(passing.map((p) => p.title)),
        });
        continue;
      }
      out.push({ experiment, check: r.title, status: r.status, detail: checkDetail(r) });
    }
    i = end;
  }
  return out;
}

/**
 * Titles that end alike ("float costs what the model says", "str of 20 costs what the model
 * says") as one line: "float, str of 20 — each costs what the model says".
 */
export function summarizeTitles(titles: readonly string[]): string {
  const words = titles.map((t) => t.split(' '));
  let common = 0;
  const shortest = Math.min(...words.map((w) => w.length));
  while (
    common < shortest - 1 &&
    words.every((w) => w[w.length - 1 - common] === words[0]![words[0]!.length - 1 - common])
  ) {
    common++;
  }
  if (common < 2) return titles.join('; ');
  const suffix = words[0]!.slice(-common).join(' ');
  return `${words.map((w) => w.slice(0, -common).join(' ')).join(', ')} — each ${suffix}`;
}
