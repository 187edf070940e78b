import { InputError } from '../errors.ts';
import { MAD_TO_SIGMA, medianSorted, sortedCopy } from './stats.ts';

/**
 * Step detection over a history series: one value per run (e.g. the median pause of each nightly
 * run), optionally with each run's own uncertainty. Which run first sat at a new level, and by how
 * much did the level move?
 *
 * Method: asv's model (`asv/step_detect.py`): the series is piecewise constant plus noise, fitted by
 * minimising
 *
 *     Σ_segments Σ_i w_i · |y_i − level_segment|  +  γ · (number of steps)
 *
 * solved exactly by dynamic programming over every segmentation (optimal partitioning), with the
 * level of a segment its weighted median. Why this and not binary segmentation with a rank test:
 * with the eight-run histories a nightly job sees first, a rank test between 4 and 4 runs cannot
 * get below p = 0.029 even for a perfect step, so after correcting for the candidate positions it
 * finds nothing; the penalised fit uses the size of the jump relative to the noise instead.
 *
 * - L1 (absolute) cost: one wild night pulls a segment's median by at most one rank, unlike a mean.
 * - Segments have at least `minSegment` runs (default 2): a one-night blip cannot form a level of
 *   its own, and a new level is reported once a second run confirms it.
 * - γ = penaltyFactor · σ̂ · ln(n), where σ̂ is a robust noise scale: 1.4826 · median|y_{i+1} − y_i| / √2
 *   (a step or a blip spoils one or two differences, not the median of them), raised to the median
 *   of the given per-run spreads if those are larger, and to `minNoiseFraction` of the series level
 *   so that a perfectly repeatable metric does not turn rounding into steps. ln(n) grows the penalty
 *   with the number of places a step could hide (a BIC-like term); asv chooses γ by an information
 *   criterion instead, which needs more points than a young history has.
 * - Weights: w_i ∝ 1 / spread_i (normalised to mean 1), so a run that was itself noisy counts less.
 *
 * Cost: O(n³) time for n runs (fine for a few hundred; more is refused, pass a recent window).
 */

export interface ChangePointOptions {
  /** Per-run uncertainty of each value (e.g. the standard error of a run's median), same units; null = unknown. */
  spreads?: readonly (number | null)[];
  /** Fewest runs per level (default 2). */
  minSegment?: number;
  /** Multiplier of σ̂ · ln(n) in the penalty (default 4; see the false-alarm test). */
  penaltyFactor?: number;
  /** Ignore steps smaller than this percentage of the earlier level (default 0: report all). */
  minStepPercent?: number;
  /** Floor of the noise scale as a fraction of the series' median level (default 0.005). */
  minNoiseFraction?: number;
  /** Longest series accepted (default 1000): the fit is cubic in the length. */
  maxPoints?: number;
}

export interface Step {
  /** Index (into the series as given, nulls included) of the first run at the new level. */
  index: number;
  before: number;
  after: number;
  /** after − before, in the values' units. */
  change: number;
  /** 100 · change / |before| (±Infinity when before is 0). */
  changePercent: number;
  direction: 'up' | 'down';
}

export interface Segment {
  /** First run of the segment (index as given). */
  start: number;
  /** One past its last run (index as given). */
  end: number;
  /** Weighted median of the segment's values. */
  level: number;
  /** Runs with a value in the segment. */
  count: number;
}

export interface StepDetection {
  steps: Step[];
  /** The fitted levels, in order, including segments whose boundary was filtered by minStepPercent. */
  segments: Segment[];
  /** σ̂, the noise scale the penalty was built from. */
  noise: number;
  /** γ, the cost of one step. */
  penalty: number;
}

export const DEFAULT_CHANGEPOINT = {
  minSegment: 2,
  penaltyFactor: 4,
  minStepPercent: 0,
  minNoiseFraction: 0.005,
  maxPoints: 1000,
} as const;

export function detectSteps(
  series: readonly (number | null)[],
  options: ChangePointOptions = {},
): StepDetection {
  const o = { ...DEFAULT_CHANGEPOINT, ...options };
  if (!(Number.isInteger(o.minSegment) && o.minSegment >= 1)) {
    throw new InputError(`minSegment must be a positive integer, got ${o.minSegment}`);
  }
  if (!(o.penaltyFactor > 0)) throw new InputError(`penaltyFactor must be > 0, got ${o.penaltyFactor}`);
  if (options.spreads && options.spreads.length !== series.length) {
    throw new InputError(`spreads has ${options.spreads.length} entries for ${series.length} runs`);
  }

  const index: number[] = [];
  const y: number[] = [];
  const spread: (number | null)[] = [];
  series.forEach((v, i) => {
    if (v === null) return;
    if (!Number.isFinite(v)) throw new InputError(`run ${i} has a non-finite value: ${String(v)}`);
    const s = options.spreads?.[i] ?? null;
    if (s !== null && !(Number.isFinite(s) && s >= 0)) {
      throw new InputError(`run ${i} has an invalid spread: ${String(s)}`);
    }
    index.push(i);
    y.push(v);
    spread.push(s);
  });
  const n = y.length;
  if (n > o.maxPoints) {
    throw new InputError(
      `history has ${n} runs; step detection takes at most ${o.maxPoints} (pass a recent window)`,
    );
  }
  if (n === 0) return { steps: [], segments: [], noise: 0, penalty: 0 };

  const noise = noiseScale(y, spread, o.minNoiseFraction);
  const penalty = o.penaltyFactor * noise * Math.log(Math.max(n, 2));
  const w = weights(spread, noise);
  const bounds = optimalPartition(y, w, penalty, o.minSegment);

  const segments: Segment[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const a = bounds[k] as number;
    const b = bounds[k + 1] as number;
    segments.push({
      start: index[a] as number,
      end: (index[b - 1] as number) + 1,
      level: weightedMedian(y.slice(a, b), w.slice(a, b)),
      count: b - a,
    });
  }
  const steps: Step[] = [];
  for (let k = 1; k < segments.length; k++) {
    const before = (segments[k - 1] as Segment).level;
    const after = (segments[k] as Segment).level;
    const change = after - before;
    const changePercent =
      before === 0 ? Math.sign(change) * Number.POSITIVE_INFINITY : (100 * change) / Math.abs(before);
    if (change === 0 || Math.abs(changePercent) < o.minStepPercent) continue;
    steps.push({
      index: (segments[k] as Segment).start,
      before,
      after,
      change,
      changePercent,
      direction: change > 0 ? 'up' : 'down',
    });
  }
  return { steps, segments, noise, penalty };
}

function noiseScale(y: readonly number[], spread: readonly (number | null)[], minFraction: number): number {
  const diffs = y.slice(1).map((v, i) => Math.abs(v - (y[i] as number)));
  let sigma = diffs.length > 0 ? (MAD_TO_SIGMA * medianSorted(sortedCopy(diffs))) / Math.SQRT2 : 0;
  const known = spread.filter((s): s is number => s !== null);
  if (known.length > 0) sigma = Math.max(sigma, medianSorted(sortedCopy(known)));
  const level = Math.abs(medianSorted(sortedCopy(y)));
  sigma = Math.max(sigma, minFraction * level);
  // An all-zero series: any positive scale keeps the penalty positive, and nothing can step anyway.
  return sigma > 0 ? sigma : Number.MIN_VALUE;
}

function weights(spread: readonly (number | null)[], noise: number): number[] {
  if (spread.every((s) => s === null)) return spread.map(() => 1);
  // A run claiming near-zero spread must not outweigh the rest: floor at a tenth of the noise scale.
  const raw = spread.map((s) => 1 / Math.max(s ?? noise, noise / 10));
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
}

/** Boundaries [0, b1, ..., n] of the segmentation that minimises cost + penalty · steps. */
function optimalPartition(
  y: readonly number[],
  w: readonly number[],
  penalty: number,
  minSegment: number,
): number[] {
  const n = y.length;
  if (n < 2 * minSegment) return [0, n];
  const cost = segmentCosts(y, w, minSegment);
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array(n + 1).fill(-1);
  best[0] = -penalty; // the first segment is not a step
  for (let end = minSegment; end <= n; end++) {
    for (let start = 0; start + minSegment <= end; start++) {
      const head = best[start] as number;
      if (head === Number.POSITIVE_INFINITY) continue;
      const total = head + (cost[start]?.[end] as number) + penalty;
      // Strictly better only: on a tie keep the earlier (longer last segment, fewer splits).
      if (total < (best[end] as number)) {
        best[end] = total;
        from[end] = start;
      }
    }
  }
  const bounds = [n];
  for (let end = n; end > 0; end = from[end] as number) bounds.push(from[end] as number);
  return bounds.reverse();
}

/** cost[i][j] = Σ w |y − weighted median| over y[i..j), for j − i ≥ minSegment. */
function segmentCosts(y: readonly number[], w: readonly number[], minSegment: number): Float64Array[] {
  const n = y.length;
  const cost: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n + 1);
    const values: number[] = [];
    const ws: number[] = [];
    for (let j = i; j < n; j++) {
      // Insertion keeps the segment sorted as it grows: O(length) per step.
      const v = y[j] as number;
      let at = values.length;
      while (at > 0 && (values[at - 1] as number) > v) at--;
      values.splice(at, 0, v);
      ws.splice(at, 0, w[j] as number);
      if (j + 1 - i >= minSegment) row[j + 1] = l1Cost(values, ws);
    }
    cost.push(row);
  }
  return cost;
}

function l1Cost(sortedValues: readonly number[], ws: readonly number[]): number {
  const m = weightedMedianSorted(sortedValues, ws);
  let c = 0;
  for (let k = 0; k < sortedValues.length; k++)
    c += (ws[k] as number) * Math.abs((sortedValues[k] as number) - m);
  return c;
}

function weightedMedian(values: readonly number[], ws: readonly number[]): number {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  return weightedMedianSorted(
    order.map((i) => values[i] as number),
    order.map((i) => ws[i] as number),
  );
}

/**
 * The point where half the weight lies on each side. When the cumulative weight reaches exactly
 * half at a value, every point up to the next value minimises the cost; the midpoint is reported,
 * which for equal weights is the ordinary median.
 */
function weightedMedianSorted(sortedValues: readonly number[], ws: readonly number[]): number {
  const total = ws.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  for (let k = 0; k < sortedValues.length; k++) {
    cumulative += ws[k] as number;
    const v = sortedValues[k] as number;
    if (Math.abs(cumulative - total / 2) <= 1e-12 * total && k + 1 < sortedValues.length) {
      return (v + (sortedValues[k + 1] as number)) / 2;
    }
    if (cumulative > total / 2) return v;
  }
  return sortedValues[sortedValues.length - 1] as number;
}
