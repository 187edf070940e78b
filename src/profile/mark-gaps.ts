import { quantile } from '../analysis/stats.ts';
import { distribution, type Distribution } from './collections.ts';
import type { Timeline } from './timeline.ts';

/**
 * Per mark: the time from one call of `picogc_probe.mark(name)` to the next call with that name
 * (an iteration of the section it labels), and, where marks read gc.mem_alloc() (no timer), the
 * bytes one iteration allocated (the median rise; an iteration with a collection falls, and is
 * left out).
 */

export interface MarkGaps {
  id: number;
  name: string;
  calls: number;
  /** Iterations a second: calls over the time from the first to the last. */
  rateHz: number;
  gapUs: Distribution | undefined;
  /** Median bytes allocated between two calls, where the marks read the heap. */
  allocPerIteration?: number;
}

export function markGaps(timeline: Timeline): MarkGaps[] {
  const out: MarkGaps[] = [];
  for (const [id, marks] of [...timeline.marks.entries()].sort((a, b) => a[0] - b[0])) {
    const gaps: number[] = [];
    const rises: number[] = [];
    for (let i = 1; i < marks.length; i++) {
      gaps.push(marks[i]!.t - marks[i - 1]!.t);
      const rise = marks[i]!.v - marks[i - 1]!.v;
      if (marks[i]!.v >= 0 && marks[i - 1]!.v >= 0 && rise >= 0) rises.push(rise);
    }
    const span = marks.length > 1 ? marks.at(-1)!.t - marks[0]!.t : 0;
    out.push({
      id,
      name: timeline.names.get(id) ?? `mark ${id}`,
      calls: marks.length,
      rateHz: span > 0 ? ((marks.length - 1) * 1e6) / span : 0,
      gapUs: distribution(gaps),
      ...(rises.length > 0 ? { allocPerIteration: quantile(rises, 0.5) } : {}),
    });
  }
  return out;
}
