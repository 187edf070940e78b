import { z } from 'zod';
import { deviceInfoSchema } from '../device/device-info.ts';
import { boardTagSchema } from './board-tag.ts';
import { checkSchema, metricSchema } from '../experiments/experiment.ts';
import { firmwareBlockSchema } from '../firmware/report-block.ts';
import { notRunSchema, recoveryEventSchema } from './recovery-event.ts';
import { runHeaderShape } from './run-header.ts';
import { workClockBlockSchema } from './work-clock-block.ts';

/**
 * report.json: the source of truth of a run. HTML, Markdown and JUnit are views of it, and
 * `picogc compare` and the history read it. Versioned: a reader refuses a schema it does not know.
 */
export const REPORT_SCHEMA = 'picogc.report/1';

export const experimentReportSchema = z.object({
  id: z.string(),
  title: z.string(),
  question: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** `completed`: ran to the end; `failed`: the device or link failed (see `error`) after a retry. */
  status: z.enum(['completed', 'failed']),
  attempts: z.number().int().positive(),
  error: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  samples: z.array(z.record(z.string(), z.unknown())),
  /** What the device printed that was not data, in order (at most 200 lines). */
  log: z.array(z.string()),
  summary: z.record(z.string(), z.unknown()),
  metrics: z.array(metricSchema),
  checks: z.array(checkSchema),
});
export type ExperimentReport = z.infer<typeof experimentReportSchema>;

export const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  ...runHeaderShape,
  device: deviceInfoSchema,
  /** Which board of the bench this run was on (its identity, port, lock key). */
  board: boardTagSchema.optional(),
  /** `--firmware`: the image under test and whether the device was confirmed to run it. */
  firmware: firmwareBlockSchema.optional(),
  /**
   * The virtual Pico on its work clock: the calibration that made its pauses Pico µs, and its
   * residuals configuration by configuration. Absent where pauses are measured (boards, the
   * emulated RP2040, replays, `--clock host`).
   */
  workClock: workClockBlockSchema.optional(),
  experiments: z.array(experimentReportSchema),
  /** Every rung of the recovery ladder taken when the device stopped answering, in order. */
  recovery: z.array(recoveryEventSchema).optional(),
  /** Experiments the run did not start because the board was lost or the run was stopped. */
  notRun: notRunSchema.optional(),
  /** Checks that span experiments (e.g. the pause-cost fit over two experiments). */
  crossChecks: z.array(checkSchema),
  /** Cross-experiment results such as the fitted pause-cost model. */
  model: z.record(z.string(), z.unknown()),
  /** pass: every check passed or was skipped with a reason; fail: a check failed; error: the device failed. */
  verdict: z.enum(['pass', 'fail', 'error']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(3)]),
});
export type Report = z.infer<typeof reportSchema>;
