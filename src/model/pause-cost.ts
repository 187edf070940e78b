import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { CollectionWork } from './collector.ts';

/**
 * The pause-cost model: pause = c0 + c_mark·words_scanned + c_sweep·blocks_swept
 * + c_rescan·blocks_rescanned, in microseconds, fitted by least squares to measured pauses
 * whose work counters come from the GC model.
 */

export const pauseCoefficientsSchema = z
  .object({
    c0: z.number().finite(),
    c_mark: z.number().finite(),
    c_sweep: z.number().finite(),
    c_rescan: z.number().finite(),
  })
  .strict();
/** The coefficients file of `picogc model --coefficients` (µs, µs/word, µs/block, µs/block). */
export type PauseCoefficients = z.infer<typeof pauseCoefficientsSchema>;
export type CoefficientName = keyof PauseCoefficients;

/** The work counters the pause depends on. */
export type PauseWork = Pick<CollectionWork, 'wordsScanned' | 'blocksSwept' | 'blocksRescanned'>;

export interface PauseSample extends PauseWork {
  pauseUs: number;
}

export interface PauseFit {
  coefficients: PauseCoefficients;
  /** Standard error of each coefficient; null when it was not estimated or no degree of freedom is left. */
  standardErrors: Record<CoefficientName, number | null>;
  /** Which coefficients the data could determine; the others are fixed at 0 (see `notes`). */
  estimated: Record<CoefficientName, boolean>;
  notes: string[];
  /** Null when every measured pause is the same (no variance to explain). */
  r2: number | null;
  /** Measured minus fitted, in sample order. */
  residuals: number[];
  samples: number;
  degreesOfFreedom: number;
}

const PREDICTORS = [
  { name: 'c_mark', counter: 'wordsScanned', label: 'words scanned' },
  { name: 'c_sweep', counter: 'blocksSwept', label: 'blocks swept' },
  { name: 'c_rescan', counter: 'blocksRescanned', label: 'blocks rescanned' },
] as const;

/** Columns this much smaller than their own size after projection are taken as dependent. */
const RANK_TOLERANCE = 1e-9;

/**
 * Least squares with explicit rank handling: a predictor that is zero in every sample (e.g. no
 * collection overflowed, so nothing was rescanned) or that is a linear combination of the ones
 * before it (e.g. blocks swept constant, hence collinear with the intercept) is dropped,
 * reported in `notes`, and its coefficient fixed at 0 — never a NaN.
 */
export function fitPauseCost(samples: readonly PauseSample[]): PauseFit {
  if (samples.length === 0) throw new InputError('no pause samples to fit');
  for (const s of samples) {
    const values = [s.pauseUs, s.wordsScanned, s.blocksSwept, s.blocksRescanned];
    if (!values.every(Number.isFinite)) throw new InputError('a pause sample has a non-finite value');
  }
  const y = samples.map((s) => s.pauseUs);
  const notes: string[] = [];
  const kept: { name: CoefficientName; scale: number; column: number[] }[] = [];
  const basis: number[][] = [samples.map(() => 1 / Math.sqrt(samples.length))];
  for (const p of PREDICTORS) {
    const raw = samples.map((s) => s[p.counter]);
    const scale = Math.max(...raw.map(Math.abs));
    if (scale === 0) {
      notes.push(`${p.name} not estimated: ${p.label} is 0 in every sample`);
      continue;
    }
    const column = raw.map((v) => v / scale);
    const residual = orthogonalise(column, basis);
    if (norm(residual) <= RANK_TOLERANCE * norm(column)) {
      const before = ['c0', ...kept.map((k) => k.name)].join(', ');
      notes.push(`${p.name} not estimated: ${p.label} is a linear combination of what ${before} already fit`);
      continue;
    }
    basis.push(residual.map((v) => v / norm(residual)));
    kept.push({ name: p.name, scale, column });
  }

  const coefficients: PauseCoefficients = { c0: 0, c_mark: 0, c_sweep: 0, c_rescan: 0 };
  const standardErrors: PauseFit['standardErrors'] = {
    c0: null,
    c_mark: null,
    c_sweep: null,
    c_rescan: null,
  };
  const estimated: PauseFit['estimated'] = { c0: true, c_mark: false, c_sweep: false, c_rescan: false };
  const degreesOfFreedom = samples.length - (kept.length + 1);

  if (kept.length === 0) {
    coefficients.c0 = mean(y);
    if (degreesOfFreedom > 0)
      standardErrors.c0 = Math.sqrt(
        sumSquares(y.map((v) => v - coefficients.c0)) / degreesOfFreedom / y.length,
      );
  } else {
    const x = samples.map((_, i) => kept.map((k) => k.column[i]!));
    const mlr = new MultivariateLinearRegression(
      x,
      y.map((v) => [v]),
      { intercept: true, statistics: degreesOfFreedom > 0 },
    );
    kept.forEach((k, j) => {
      coefficients[k.name] = mlr.weights[j]![0]! / k.scale;
      estimated[k.name] = true;
      if (degreesOfFreedom > 0) standardErrors[k.name] = mlr.stdErrors[j]! / k.scale;
    });
    coefficients.c0 = mlr.weights[kept.length]![0]!;
    if (degreesOfFreedom > 0) standardErrors.c0 = mlr.stdErrors[kept.length]!;
  }
  if (degreesOfFreedom <= 0) notes.push('no degrees of freedom left: standard errors are not available');

  const residuals = samples.map((s, i) => y[i]! - predictPause(coefficients, s));
  const total = sumSquares(y.map((v) => v - mean(y)));
  return {
    coefficients,
    standardErrors,
    estimated,
    notes,
    r2: total === 0 ? null : 1 - sumSquares(residuals) / total,
    residuals,
    samples: samples.length,
    degreesOfFreedom,
  };
}

export function predictPause(c: PauseCoefficients, work: PauseWork): number {
  return (
    c.c0 + c.c_mark * work.wordsScanned + c.c_sweep * work.blocksSwept + c.c_rescan * work.blocksRescanned
  );
}

/** Predicted pauses along a curve of modelled collections (e.g. one per live-set size). */
export function predictPauseCurve<T extends { work: PauseWork }>(
  c: PauseCoefficients,
  points: readonly T[],
): (T & { pauseUs: number })[] {
  return points.map((p) => ({ ...p, pauseUs: predictPause(c, p.work) }));
}

function orthogonalise(column: number[], basis: number[][]): number[] {
  const out = [...column];
  for (const b of basis) {
    const dot = out.reduce((sum, v, i) => sum + v * b[i]!, 0);
    for (let i = 0; i < out.length; i++) out[i]! -= dot * b[i]!;
  }
  return out;
}

function norm(v: number[]): number {
  return Math.sqrt(sumSquares(v));
}

function sumSquares(v: number[]): number {
  return v.reduce((sum, x) => sum + x * x, 0);
}

function mean(v: number[]): number {
  return v.reduce((sum, x) => sum + x, 0) / v.length;
}
