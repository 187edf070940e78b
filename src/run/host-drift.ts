import { median } from '../analysis/stats.ts';

/** A change of level beyond this factor is the host's, not noise: steady runs stay under 1.15. */
export const DRIFT_LIMIT = 1.4;

/** Below this a pause is mostly fixed overhead, too small to show a change of speed. */
const MIN_PAUSE_US = 50;

export interface TimedConfiguration {
  experiment: string;
  label: string;
  nLive: number;
  /** The pauses in the order they were measured. */
  values: number[];
  /** How many interleaved rounds the values were measured in (consecutive, equal shares). */
  rounds: number;
  /** The model's work for this configuration (words scanned + blocks swept + rescanned). */
  work: number;
}

/**
 * Whether the host's speed moved during a run of a host-timed device, read from the pauses
 * themselves: the rounds of one configuration should agree, and so should two experiments'
 * configurations that the model says cost the same work. A virtual Pico on a shared or throttled
 * host shows whole rounds, or a whole experiment, 1.5–2.5× slower than the rest. Returns a
 * sentence with the numbers when the level moved by more than DRIFT_LIMIT, else undefined.
 */
export function hostDrift(configs: TimedConfiguration[]): string | undefined {
  let worst: { factor: number; what: string } = { factor: 1, what: '' };
  const consider = (factor: number, what: string) => {
    if (factor > worst.factor) worst = { factor, what };
  };
  const timed = configs.filter((c) => c.values.length > 0 && median(c.values) >= MIN_PAUSE_US);
  for (const c of timed) {
    const levels = roundMedians(c.values, c.rounds);
    if (levels.length < 2) continue;
    const [low, high] = [Math.min(...levels), Math.max(...levels)];
    consider(high / low, `${c.experiment} ${c.label}: rounds at ${levels.map(us).join(', ')}`);
  }
  for (const [i, a] of timed.entries()) {
    for (const b of timed.slice(i + 1)) {
      if (a.experiment === b.experiment || a.nLive !== b.nLive) continue;
      const workRatio = b.work / a.work;
      if (Math.abs(workRatio - 1) > 0.1) continue;
      const measured = median(b.values) / median(a.values);
      const factor = Math.max(measured / workRatio, workRatio / measured);
      consider(
        factor,
        `${a.experiment} ${a.label} ${us(median(a.values))} vs ${b.experiment} ${b.label} ${us(median(b.values))}, the same work ±10%`,
      );
    }
  }
  return worst.factor > DRIFT_LIMIT ? `×${worst.factor.toFixed(1)}: ${worst.what}` : undefined;
}

function roundMedians(values: number[], rounds: number): number[] {
  const per = Math.floor(values.length / Math.max(1, rounds));
  if (per < 2) return [];
  return Array.from({ length: rounds }, (_, r) => median(values.slice(r * per, (r + 1) * per)));
}

const us = (value: number) => `${Math.round(value)} µs`;
