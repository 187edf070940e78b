import { z } from 'zod';
import type { Device, TimedCollection } from '../device/device.ts';

/** Parameters of every timed experiment: repetitions per configuration, spread over rounds. */
export const timingParams = {
  /** Timed collections per configuration, in all. */
  reps: z.number().int().positive(),
  /** Passes over all configurations that share the repetitions. */
  rounds: z.number().int().positive(),
  /** Untimed collections after each (re)build, before timing. */
  warmup: z.number().int().nonnegative(),
};

/**
 * Repetitions are split into rounds, and each round visits every configuration in turn: a drift
 * of the host or the device over the run (load, heat, JIT tiers) then spreads over all
 * configurations instead of biasing the ones measured last. `visit` gets how many repetitions to
 * take in this round and the index of the first. A first, untimed pass (round -1, no repetitions)
 * builds every configuration once, so first-time costs (code paths compiled, caches filled) are
 * paid before anything is timed.
 */
export async function inRounds<C>(
  configs: readonly C[],
  params: { reps: number; rounds: number },
  visit: (config: C, slice: { round: number; reps: number; firstRep: number }) => Promise<void>,
  afterRound: (round: number) => void = () => {},
): Promise<void> {
  const rounds = Math.min(params.rounds, params.reps);
  for (const config of configs) await visit(config, { round: -1, reps: 0, firstRep: 0 });
  for (let round = 0; round < rounds; round++) {
    const firstRep = Math.floor((params.reps * round) / rounds);
    const reps = Math.floor((params.reps * (round + 1)) / rounds) - firstRep;
    for (const config of configs) await visit(config, { round, reps, firstRep });
    afterRound(round);
  }
}

/** Warm up, then time `reps` collections, handing each to `record` with its repetition index. */
export async function timePauses(
  device: Device,
  slice: { reps: number; firstRep: number },
  warmup: number,
  timeoutMs: number,
  record: (rep: number, timed: TimedCollection) => void,
): Promise<void> {
  for (let i = 0; i < warmup; i++) await device.timedCollect({ timeoutMs });
  for (let i = 0; i < slice.reps; i++) record(slice.firstRep + i, await device.timedCollect({ timeoutMs }));
}
