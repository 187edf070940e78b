import { z } from 'zod';
import type { Device } from '../device/device.ts';
import type { DeviceInfo } from '../device/device-info.ts';

/** A verdict never passes silently: what cannot be shown on a device is `skipped`, with the reason. */
export const checkSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'skipped']),
  expected: z.string().optional(),
  observed: z.string().optional(),
  tolerance: z.string().optional(),
  reason: z.string().optional(),
});
export type Check = z.infer<typeof checkSchema>;

/**
 * A figure a run can be compared on (baseline compare, history): its repeated observations, so a
 * change comes with a confidence interval, and which way is worse.
 */
export const metricSchema = z.object({
  id: z.string(),
  title: z.string(),
  unit: z.string(),
  values: z.array(z.number()),
  /** `lower` = smaller is better (pauses, bytes). */
  better: z.enum(['lower', 'higher']),
});
export type Metric = z.infer<typeof metricSchema>;

export interface Analysis {
  /** Derived figures for the report (tables, chart data), plain JSON. */
  summary: Record<string, unknown>;
  metrics: Metric[];
  checks: Check[];
}

export interface ExperimentContext<P, S> {
  device: Device;
  info: DeviceInfo;
  params: P;
  /** Validate a sample and append it to results.jsonl (flushed) before returning. */
  record: (sample: S) => void;
  /** One step done, for progress. */
  step: (label: string) => void;
  /** Deadline for one device call of this experiment. */
  timeoutMs: number;
}

/**
 * One experiment = one device script + this declaration: its parameters (with a quick profile),
 * the steps it runs, the schema of its samples, and the checks it makes. The runner knows nothing
 * else about it.
 */
export interface Experiment<P extends object = object, S extends object = object> {
  id: string;
  title: string;
  /** The question it answers, for the report. */
  question: string;
  /** device-scripts/<name>.py modules it needs (common.py is always uploaded first). */
  scripts: string[];
  paramsSchema: z.ZodType<P>;
  defaults: P;
  quick: P;
  sampleSchema: z.ZodType<S>;
  /** How many `step()` calls `run` makes with these parameters, for the progress bar. */
  totalSteps(params: P): number;
  run(ctx: ExperimentContext<P, S>): Promise<void>;
  analyse(input: { samples: S[]; info: DeviceInfo; params: P }): Analysis;
}

/** Erases an experiment's type parameters for the registry; each module keeps its own types. */
export type AnyExperiment = Experiment<object, object>;

export function defineExperiment<P extends object, S extends object>(e: Experiment<P, S>): AnyExperiment {
  return e;
}
