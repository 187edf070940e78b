import { UsageError } from '../errors.ts';
import { allocSizes } from './alloc-sizes.ts';
import type { AnyExperiment } from './experiment.ts';
import { floatChurn } from './float-churn.ts';
import { fragmentation } from './fragmentation.ts';
import { heapPosition } from './heap-position.ts';
import { markOverflow } from './mark-overflow.ts';
import { pauseVsLive } from './pause-vs-live.ts';
import { threshold } from './threshold.ts';

/** The suite, in the order it runs: the design's table. Adding an experiment = one .py + one .ts + a line here. */
export const EXPERIMENTS: AnyExperiment[] = [
  allocSizes,
  pauseVsLive,
  heapPosition,
  threshold,
  fragmentation,
  markOverflow,
  floatChurn,
];

/** `--experiments a,b` → the named experiments in suite order; an unknown name is a usage error. */
export function selectExperiments(names?: string[]): AnyExperiment[] {
  if (!names || names.length === 0) return EXPERIMENTS;
  const known = new Set(EXPERIMENTS.map((e) => e.id));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown experiment ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return EXPERIMENTS.filter((e) => names.includes(e.id));
}
