import { bootstrapMedianChange, type PercentChangeInterval } from '../analysis/bootstrap.ts';
import { mannWhitneyU } from '../analysis/mann-whitney.ts';
import { summarize } from '../analysis/stats.ts';

/** Repeated pauses of one configuration, summarised robustly (medians, quartiles). */
export interface PauseSummary {
  n: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  /** pyperf's warning: the spread is too large to trust one figure. */
  unstable: boolean;
}

export function summarizePauses(values: readonly number[]): PauseSummary {
  const s = summarize(values);
  return { n: s.n, median: s.median, q1: s.q1, q3: s.q3, min: s.min, max: s.max, unstable: s.unstable };
}

/** Group values by a key, keeping first-seen key order (the order configurations were measured). */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export interface Difference {
  /** Percent change of the median from `a` to `b`, with a bootstrap interval. */
  change: PercentChangeInterval;
  /** Two-sided Mann-Whitney p-value. */
  p: number;
  /** b's pauses are larger than a's: the interval lies above 0 and p < alpha. */
  larger: boolean;
}

/** Is `b` really slower than `a`? The same evidence rule as a regression, without a minimum size. */
export function compareSamples(a: readonly number[], b: readonly number[], alpha = 0.01): Difference {
  const change = bootstrapMedianChange(a.map(positive), b.map(positive));
  const p = mannWhitneyU(a, b).pValue;
  return { change, p, larger: change.low > 0 && p < alpha };
}

/** A host-timed pause can round to 0 µs; a percent change needs a positive baseline. */
function positive(us: number): number {
  return Math.max(us, 0.001);
}
