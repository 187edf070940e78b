import { checkRows } from './checks.ts';
import type { Report } from './schema.ts';

export interface ValidationVerdict {
  /** 0 every applicable check passed; 1 a check failed (or none could run); 3 the device failed. */
  exitCode: 0 | 1 | 3;
  applicable: number;
  passed: number;
  /** Checks the device cannot show, each with its reason: not failures. */
  skipped: number;
  /** One line per reason the firmware is not validated. */
  problems: string[];
}

/**
 * The strict reading of a run: every applicable check must pass. A check skipped with a reason
 * (the device cannot show it) does not count against the firmware; a skip without a reason does,
 * as a silent pass would. A run in which no check could run validates nothing and fails. An
 * experiment that did not complete is a device or link failure (3), which outranks a failed check.
 */
export function validationVerdict(report: Report): ValidationVerdict {
  const rows = checkRows(report);
  const problems: string[] = [];
  const failedExperiments = report.experiments.filter((e) => e.status === 'failed');
  for (const e of failedExperiments)
    problems.push(`experiment ${e.id} did not complete: ${e.error ?? 'unknown error'}`);
  const missing = report.options.experiments.filter((id) => !report.experiments.some((e) => e.id === id));
  for (const id of missing) problems.push(`experiment ${id} was not run`);

  for (const r of rows) {
    if (r.status === 'fail' && r.id !== `${r.experiment}/run`)
      problems.push(`check failed: ${r.experiment} / ${r.title}`);
    if (r.status === 'skipped' && !r.reason?.trim()) {
      problems.push(`check skipped without a reason: ${r.experiment} / ${r.title}`);
    }
  }
  const applicable = rows.filter((r) => r.status !== 'skipped');
  const passed = applicable.filter((r) => r.status === 'pass').length;
  if (applicable.length === 0 && failedExperiments.length === 0) {
    problems.push('no check could run on this device: nothing was validated');
  }
  const deviceFailed = failedExperiments.length > 0 || missing.length > 0 || report.verdict === 'error';
  return {
    exitCode: deviceFailed ? 3 : problems.length > 0 ? 1 : 0,
    applicable: applicable.length,
    passed,
    skipped: rows.filter((r) => r.status === 'skipped' && r.reason?.trim()).length,
    problems,
  };
}
