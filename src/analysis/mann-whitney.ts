import { InputError } from '../errors.ts';
import { assertSample } from './stats.ts';

/**
 * The Mann–Whitney U test (Wilcoxon rank-sum): are two samples drawn from the same distribution,
 * or does one tend to be larger? It uses only ranks, so one stray slow collection (a USB interrupt
 * during a pause) moves it by one rank, not by its size. asv and pyperf use it for the same job.
 *
 * p-values are two-sided. The exact null distribution is computed by counting, over every way to
 * split the pooled ranks, how many give each rank sum (ties get mid-ranks, doubled to stay
 * integral), so it is exact with ties too. Past `exactMaxTotal` pooled values it switches to the
 * normal approximation with tie and continuity corrections, as scipy's `method="asymptotic"`.
 */

export interface MannWhitneyOptions {
  /** 'auto' (default): exact up to `exactMaxTotal` pooled values, normal beyond. */
  method?: 'auto' | 'exact' | 'normal';
  /** Largest pooled size for which 'auto' counts exactly (default 60: a few ms). */
  exactMaxTotal?: number;
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counted ½ (scipy's `U1`). */
  u: number;
  /** U of the second sample; u + uOther = n1·n2. */
  uOther: number;
  /** Two-sided p-value. */
  pValue: number;
  method: 'exact' | 'normal';
  /** Probability that a value from x exceeds one from y (ties ½): u / (n1·n2). 0.5 = no tendency. */
  probabilityXGreater: number;
  /** Standardised statistic (normal method only). */
  z?: number;
  hasTies: boolean;
}

export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  assertSample(x, 'first sample');
  assertSample(y, 'second sample');
  const n1 = x.length;
  const n2 = y.length;
  const total = n1 + n2;
  const { doubledRanks, tieGroups } = midRanks(x, y);
  const doubledRankSumX = doubledRanks.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = doubledRankSumX / 2 - (n1 * (n1 + 1)) / 2;
  const uOther = n1 * n2 - u;
  const hasTies = tieGroups.some((t) => t > 1);

  const method = options.method ?? 'auto';
  const useExact = method === 'exact' || (method === 'auto' && total <= (options.exactMaxTotal ?? 60));
  const base = { u, uOther, probabilityXGreater: u / (n1 * n2), hasTies };
  if (useExact) {
    // Count subsets of the smaller sample's size: same two-sided p, a smaller table.
    const pooledSum = total * (total + 1);
    const [k, observed] = n1 <= n2 ? [n1, doubledRankSumX] : [n2, pooledSum - doubledRankSumX];
    return { ...base, method: 'exact', pValue: exactTwoSidedP(doubledRanks, k, observed) };
  }
  const { z, pValue } = normalTwoSidedP(u, n1, n2, tieGroups);
  return { ...base, method: 'normal', pValue, z };
}

/**
 * The smallest two-sided p-value any data can give with these sample sizes (complete separation,
 * no ties): 2 / C(n1+n2, n1). If it is above the significance level the test can never reject.
 */
export function minimumTwoSidedP(n1: number, n2: number): number {
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 > 0 && n2 > 0)) {
    throw new InputError(`sample sizes must be positive integers, got ${n1} and ${n2}`);
  }
  // C(n, k) as a running product; exact in floating point far beyond the sizes picogc uses.
  const k = Math.min(n1, n2);
  const n = n1 + n2;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.min(1, 2 / c);
}

/** Doubled mid-ranks of the pooled sample (x first, then y) and the size of each tie group. */
function midRanks(
  x: readonly number[],
  y: readonly number[],
): { doubledRanks: number[]; tieGroups: number[] } {
  const pooled = [...x, ...y];
  const order = pooled.map((_, i) => i).sort((a, b) => (pooled[a] as number) - (pooled[b] as number));
  const doubledRanks = new Array<number>(pooled.length).fill(0);
  const tieGroups: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start;
    const value = pooled[order[start] as number] as number;
    while (end + 1 < order.length && pooled[order[end + 1] as number] === value) end++;
    // Ranks are 1-based: positions start..end share (start+1 + end+1)/2; doubled, an integer.
    const doubled = start + end + 2;
    for (let i = start; i <= end; i++) doubledRanks[order[i] as number] = doubled;
    tieGroups.push(end - start + 1);
    start = end + 1;
  }
  return { doubledRanks, tieGroups };
}

/**
 * Exact permutation p-value of a (doubled) rank sum of n1 of the items: counts subsets of
 * size n1 of the pooled doubled ranks by their sum (a knapsack-style table), then doubles the
 * smaller tail.
 */
function exactTwoSidedP(doubledRanks: readonly number[], n1: number, observed: number): number {
  const maxSum = doubledRanks.reduce((a, b) => a + b, 0); // = N(N+1): doubled ranks sum to twice 1..N
  const width = maxSum + 1;
  // counts[k * width + s] = number of k-subsets of the ranks seen so far with doubled sum s.
  const counts = new Float64Array((n1 + 1) * width);
  counts[0] = 1;
  const total = doubledRanks.length;
  let seen = 0;
  let reachable = 0; // largest sum any subset of the ranks seen so far can have
  for (const r of doubledRanks) {
    seen++;
    reachable += r;
    // Subsets too small to be completed by the ranks still to come never matter.
    const lowestK = Math.max(1, n1 - (total - seen));
    for (let k = Math.min(seen, n1); k >= lowestK; k--) {
      const row = k * width;
      const prev = (k - 1) * width;
      for (let s = reachable; s >= r; s--) {
        const add = counts[prev + s - r] as number;
        if (add !== 0) counts[row + s] = (counts[row + s] as number) + add;
      }
    }
  }
  let all = 0;
  let lower = 0;
  let upper = 0;
  const row = n1 * width;
  for (let s = 0; s <= maxSum; s++) {
    const c = counts[row + s] as number;
    if (c === 0) continue;
    all += c;
    if (s <= observed) lower += c;
    if (s >= observed) upper += c;
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / all);
}

function normalTwoSidedP(
  u: number,
  n1: number,
  n2: number,
  tieGroups: readonly number[],
): { z: number; pValue: number } {
  const n = n1 + n2;
  const tieTerm = tieGroups.reduce((acc, t) => acc + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { z: 0, pValue: 1 }; // every value equal: no evidence either way
  const mu = (n1 * n2) / 2;
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
  return { z, pValue: Math.min(1, erfc(z / Math.SQRT2)) };
}

/**
 * Complementary error function, fractional error below 1.2e-7 everywhere (the Chebyshev-fitted
 * form in Numerical Recipes §6.2). Computed directly rather than as 1 − erf so small p-values keep
 * their relative precision.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}
