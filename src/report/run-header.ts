import { hostname } from 'node:os';
import { z } from 'zod';
import { TOOL_VERSION } from '../version.ts';

/**
 * What every run document says about itself whether or not the run reached its device: which
 * picogc wrote it, on which host, and what was asked of the run. report.json (`picogc.report/1`)
 * and the report of a board that was never reached (`picogc.unreached/1`) share these blocks.
 */

export const toolSchema = z.object({ name: z.literal('picogc'), version: z.string() });
export type ToolBlock = z.infer<typeof toolSchema>;

export const hostSchema = z.object({ node: z.string(), platform: z.string(), hostname: z.string() });
export type HostBlock = z.infer<typeof hostSchema>;

export const runOptionsSchema = z.object({
  profile: z.enum(['default', 'quick']),
  reps: z.number().int().positive().optional(),
  experiments: z.array(z.string()),
  firmwareLabel: z.string().optional(),
  /** The deadline of one device call, in device time (stretched on a slow device: device.pace). */
  stepTimeoutMs: z.number().positive().optional(),
});
export type RunOptionsBlock = z.infer<typeof runOptionsSchema>;

/**
 * The fields every run document starts with (after its `schema`), in this order: which picogc,
 * the run's id and times, the host, and what was asked of the run.
 */
export const runHeaderShape = {
  tool: toolSchema,
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  host: hostSchema,
  options: runOptionsSchema,
};

/** This picogc. */
export function toolBlock(): ToolBlock {
  return { name: 'picogc', version: TOOL_VERSION };
}

/** This host. */
export function hostBlock(): HostBlock {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, hostname: hostname() };
}

/** The options block of a run as written: optional fields only when they were given. */
export function runOptionsBlock(options: {
  profile: RunOptionsBlock['profile'];
  reps?: number | undefined;
  experiments: readonly string[];
  firmwareLabel?: string | undefined;
  stepTimeoutMs?: number | undefined;
}): RunOptionsBlock {
  return {
    profile: options.profile,
    ...(options.reps ? { reps: options.reps } : {}),
    experiments: [...options.experiments],
    ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
    ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
  };
}
