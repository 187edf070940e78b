import { formatNumber } from '../format.ts';
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';
import { InputError } from '../errors.ts';

/**
 * Robust summaries of repeated measurements (pause times, cadences...). Medians and quantiles are
 * what picogc reports and compares; mean and standard deviation are kept only for pyperf's
 * stability warnings, which users of pyperf already know how to read.
 */

/** When a sample counts as unstable; the defaults are pyperf's (`pyperf check`). */
export interface StabilityLimits {
  /** Warn when the sample standard deviation is at least this fraction of the mean (pyperf: 0.10). */
  maxRelativeStdev: number;
  /** Warn when the minimum or maximum lies at least this fraction away from the mean (pyperf: 0.50). */
  maxRelativeExtreme: number;
}

export const PYPERF_STABILITY: StabilityLimits = { maxRelativeStdev: 0.1, maxRelativeExtreme: 0.5 };

export type StabilityWarningCode = 'large-stdev' | 'far-minimum' | 'far-maximum';

export interface StabilityWarning {
  code: StabilityWarningCode;
  /** One sentence in pyperf's words, e.g. "the standard deviation (12.1) is 14% of the mean (86.3)". */
  message: string;
}

export interface RobustSummary {
  n: number;
  min: number;
  max: number;
  median: number;
  /** 25th and 75th percentiles, linear interpolation between order statistics (R type 7, numpy's default). */
  q1: number;
  q3: number;
  iqr: number;
  /** Median absolute deviation from the median, unscaled. */
  mad: number;
  /** 1.4826 × MAD: estimates the standard deviation for normal data, but ignores outliers. */
  robustSpread: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  stdev: number;
  /** true when any pyperf stability warning applies: repeat the measurement before trusting it. */
  unstable: boolean;
  warnings: StabilityWarning[];
}

/** Normal-consistency factor for the MAD: 1 / Φ⁻¹(3/4). */
export const MAD_TO_SIGMA = 1.482602218505602;

/** Rejects what no statistic can be computed from: an empty sample or a non-finite value. */
export function assertSample(values: readonly number[], what = 'sample'): void {
  if (values.length === 0) throw new InputError(`${what} is empty: at least one value is needed`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new InputError(`${what} has a non-finite value at index ${bad}: ${String(values[bad])}`);
}

/** A sorted copy in a typed array (numeric sort, no string comparison). */
export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Quantile p ∈ [0, 1] of already sorted values, interpolating linearly (R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new InputError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new InputError(`quantile probability must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  // Equal ends need no interpolation, and must not make ∞ − ∞ = NaN out of unbounded values.
  if (a === b || h === lo) return a;
  return a + (h - lo) * (b - a);
}

export function quantile(values: readonly number[], p: number): number {
  assertSample(values);
  return quantileSorted(sortedCopy(values), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median of sorted values (the type-7 quantile at 1/2 is the usual median). */
export function medianSorted(sorted: ArrayLike<number>): number {
  return quantileSorted(sorted, 0.5);
}

export function summarize(
  values: readonly number[],
  limits: StabilityLimits = PYPERF_STABILITY,
): RobustSummary {
  assertSample(values);
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const med = medianSorted(sorted);
  const deviations = sortedCopy(values.map((v) => Math.abs(v - med)));
  const mad = medianSorted(deviations);
  const mean = ssMean(values);
  const stdev = n >= 2 ? sampleStandardDeviation(values) : 0;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const min = sorted[0] as number;
  const max = sorted[n - 1] as number;
  const warnings = stabilityWarnings({ n, mean, stdev, min, max }, limits);
  return {
    n,
    min,
    max,
    median: med,
    q1,
    q3,
    iqr: q3 - q1,
    mad,
    robustSpread: MAD_TO_SIGMA * mad,
    mean,
    stdev,
    unstable: warnings.length > 0,
    warnings,
  };
}

function stabilityWarnings(
  s: { n: number; mean: number; stdev: number; min: number; max: number },
  limits: StabilityLimits,
): StabilityWarning[] {
  const warnings: StabilityWarning[] = [];
  // Relative spread is meaningless around a zero mean; pyperf divides anyway, picogc stays quiet.
  if (s.mean === 0) return warnings;
  const scale = Math.abs(s.mean);
  if (s.n >= 2 && s.stdev / scale >= limits.maxRelativeStdev) {
    warnings.push({
      code: 'large-stdev',
      message: `the standard deviation (${formatNumber(s.stdev)}) is ${pct(s.stdev / scale)} of the mean (${formatNumber(s.mean)})`,
    });
  }
  const below = (s.mean - s.min) / scale;
  if (below >= limits.maxRelativeExtreme) {
    warnings.push({
      code: 'far-minimum',
      message: `the minimum (${formatNumber(s.min)}) is ${pct(below)} smaller than the mean (${formatNumber(s.mean)})`,
    });
  }
  const above = (s.max - s.mean) / scale;
  if (above >= limits.maxRelativeExtreme) {
    warnings.push({
      code: 'far-maximum',
      message: `the maximum (${formatNumber(s.max)}) is ${pct(above)} greater than the mean (${formatNumber(s.mean)})`,
    });
  }
  return warnings;
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
