import { checkRows } from '../report/checks.ts';
import type { Report } from '../report/schema.ts';
import type { CheckChange } from './comparison.ts';

/** Checks whose status differs between the runs, or that one run has and the other has not. */
export function compareChecks(baseline: Report, current: Report): CheckChange[] {
  const key = (r: { experiment: string; id: string }) => `${r.experiment}\u0000${r.id}`;
  const before = new Map(checkRows(baseline).map((r) => [key(r), r]));
  const after = new Map(checkRows(current).map((r) => [key(r), r]));
  const changes: CheckChange[] = [];
  for (const [k, now] of after) {
    const was = before.get(k);
    if (was?.status === now.status) continue;
    const detail = now.status === 'skipped' ? now.reason : (now.observed ?? now.reason);
    changes.push({
      id: now.id,
      experiment: now.experiment,
      title: now.title,
      baseline: was?.status ?? 'absent',
      current: now.status,
      newlyFailing: now.status === 'fail',
      ...(detail ? { detail } : {}),
    });
  }
  for (const [k, was] of before) {
    if (after.has(k)) continue;
    changes.push({
      id: was.id,
      experiment: was.experiment,
      title: was.title,
      baseline: was.status,
      current: 'absent',
      newlyFailing: false,
    });
  }
  return changes;
}
