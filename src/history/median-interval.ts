import { InputError } from '../errors.ts';
import { medianSorted, sortedCopy } from '../analysis/stats.ts';

export interface MedianInterval {
  median: number;
  low: number;
  high: number;
  /** The coverage the two order statistics actually give (≥ the level asked, or less for n < 6). */
  coverage: number;
}

/**
 * The distribution-free confidence interval of a median from order statistics: [x(j), x(n+1−j)]
 * covers the population median with probability 1 − 2·P(Bin(n, ½) < j), whatever the distribution
 * (the sign-test interval). j is the largest rank keeping that at least `level`. Deterministic, so a
 * history record says the same on every rerun. With fewer than 6 values no pair reaches 95%: the
 * interval is the whole range and `coverage` says how much it covers.
 */
export function medianInterval(values: readonly number[], level = 0.95): MedianInterval {
  if (values.length === 0) throw new InputError('a median interval needs at least one value');
  if (!(level > 0 && level < 1)) throw new InputError(`confidence level must be in (0, 1), got ${level}`);
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const tail = binomialHalfCdf(n);
  // tail[k] = P(Bin(n, ½) ≤ k); the interval with ranks (j, n+1−j) misses with 2·tail[j−1].
  let j = 1;
  while (j + 1 <= Math.ceil(n / 2) && 1 - 2 * (tail[j] as number) >= level) j++;
  const coverage = 1 - 2 * (tail[j - 1] as number);
  return {
    median: medianSorted(sorted),
    low: sorted[j - 1] as number,
    high: sorted[n - j] as number,
    coverage,
  };
}

/** P(Bin(n, ½) ≤ k) for k = 0…n, from the pmf in log space (no underflow for long samples). */
function binomialHalfCdf(n: number): number[] {
  const logHalfN = -n * Math.LN2;
  const cdf: number[] = [];
  let logChoose = 0; // log C(n, 0)
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    sum += Math.exp(logChoose + logHalfN);
    cdf.push(Math.min(1, sum));
  }
  return cdf;
}
