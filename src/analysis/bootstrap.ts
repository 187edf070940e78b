import { InputError } from '../errors.ts';
import { seededRandom, type Random } from '../prng.ts';
import { assertSample, medianSorted, quantileSorted, sortedCopy } from './stats.ts';

/**
 * How much did the median move from baseline to current, in percent, and how sure are we?
 *
 * Percentile bootstrap: resample each sample with replacement (independently: the two runs are not
 * paired), take the ratio of the resampled medians, and read the interval off the sorted ratios.
 * The percentile method suits the median, whose jackknife is degenerate (so BCa's acceleration
 * estimate is unreliable for it). With few repetitions the interval is coarse and a little narrow;
 * the regression rule therefore also asks a rank test (see regression.ts).
 *
 * A fixed default seed makes reports reproducible: the same samples give the same interval.
 */

export interface BootstrapOptions {
  /** Two-sided confidence level, default 0.95. */
  confidence?: number;
  /** Number of resamples, default 4000 (the interval ends move by well under 0.5% between seeds). */
  resamples?: number;
  /** PRNG seed, default 1. */
  seed?: number;
}

export interface PercentChangeInterval {
  /** 100 · (median(current) / median(baseline) − 1) on the samples as given. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  seed: number;
  method: 'percentile-bootstrap';
}

export const DEFAULT_BOOTSTRAP = { confidence: 0.95, resamples: 4000, seed: 1 } as const;

/**
 * Bootstrap CI of the percent change of the median. Values must be non-negative (times, counts,
 * bytes) and the baseline median positive, or a percent change means nothing: InputError.
 */
export function bootstrapMedianChange(
  baseline: readonly number[],
  current: readonly number[],
  options: BootstrapOptions = {},
): PercentChangeInterval {
  const confidence = options.confidence ?? DEFAULT_BOOTSTRAP.confidence;
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed;
  if (!(confidence > 0 && confidence < 1))
    throw new InputError(`confidence must be in (0, 1), got ${confidence}`);
  if (!(Number.isInteger(resamples) && resamples >= 100)) {
    throw new InputError(`resamples must be an integer of at least 100, got ${resamples}`);
  }
  assertSample(baseline, 'baseline sample');
  assertSample(current, 'current sample');
  for (const [what, sample] of [
    ['baseline', baseline],
    ['current', current],
  ] as const) {
    const negative = sample.findIndex((v) => v < 0);
    if (negative >= 0) {
      throw new InputError(
        `${what} sample has a negative value at index ${negative}; percent change needs values ≥ 0`,
      );
    }
  }
  const baseMedian = medianSorted(sortedCopy(baseline));
  if (baseMedian <= 0) throw new InputError('baseline median is 0: a percent change from it is undefined');

  const estimate = percentChange(baseMedian, medianSorted(sortedCopy(current)));
  const random = seededRandom(seed);
  const bufferA = new Float64Array(baseline.length);
  const bufferB = new Float64Array(current.length);
  const changes = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    const a = resampledMedian(baseline, bufferA, random);
    const b = resampledMedian(current, bufferB, random);
    changes[i] = percentChange(a, b);
  }
  changes.sort();
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    low: quantileSorted(changes, tail),
    high: quantileSorted(changes, 1 - tail),
    confidence,
    resamples,
    seed,
    method: 'percentile-bootstrap',
  };
}

function resampledMedian(sample: readonly number[], buffer: Float64Array, random: Random): number {
  const n = buffer.length;
  for (let i = 0; i < n; i++) buffer[i] = sample[random.int(n)] as number;
  // Repetition counts are small: an insertion sort beats the typed-array sort call by a wide margin.
  if (n <= 64) {
    for (let i = 1; i < n; i++) {
      const v = buffer[i] as number;
      let j = i - 1;
      while (j >= 0 && (buffer[j] as number) > v) {
        buffer[j + 1] = buffer[j] as number;
        j--;
      }
      buffer[j + 1] = v;
    }
  } else {
    buffer.sort();
  }
  return medianSorted(buffer);
}

/** A resampled baseline median can be 0 when the sample holds zeros: the change is then unbounded. */
function percentChange(base: number, value: number): number {
  if (base === 0) return value === 0 ? 0 : Number.POSITIVE_INFINITY;
  return 100 * (value / base - 1);
}
