import { z } from 'zod';

/**
 * One line of the history file: the summary of one run on one board. The file outlives many picogc
 * versions, so every line names its schema; a reader skips (with a warning) lines of a schema it does
 * not know instead of misreading them.
 */
export const HISTORY_SCHEMA = 'picogc.history/1';

/** Verdict of the run on that board, as its exit code tells it: 0 pass, 1 fail/regression, 3 error. */
export const HISTORY_VERDICTS = ['pass', 'fail', 'regression', 'error'] as const;
export type HistoryVerdict = (typeof HISTORY_VERDICTS)[number];

export const metricSummarySchema = z
  .object({
    median: z.number(),
    /** Lower end of the confidence interval, when there is one. */
    low: z.number().optional(),
    high: z.number().optional(),
    /** Samples behind the median. */
    n: z.number().int().positive(),
    unit: z.string().min(1),
  })
  .refine((m) => (m.low === undefined || m.low <= m.median) && (m.high === undefined || m.median <= m.high), {
    message: 'the interval must contain the median (low ≤ median ≤ high)',
  });

export const historyRecordSchema = z.object({
  schema: z.literal(HISTORY_SCHEMA),
  /** The run's id (UTC time + device id), the name of its report directory. */
  runId: z.string().min(1),
  /** When the run finished, ISO 8601. */
  at: z.iso.datetime({ offset: true }),
  device: z.object({
    /** Stable board identity: unique id, USB serial, or the virtual Pico's own. */
    id: z.string().min(1),
    label: z.string().optional(),
    /** Firmware under test: its label, or version and build string. */
    firmware: z.string().optional(),
  }),
  /** Metric name → summary. (`__proto__` is refused by the store: zod drops that key silently.) */
  metrics: z.record(z.string().min(1), metricSummarySchema),
  verdict: z.enum(HISTORY_VERDICTS),
  /** Where the run's report was written, when it was. */
  reportDir: z.string().optional(),
});

export type MetricSummary = z.infer<typeof metricSummarySchema>;
export type HistoryRecord = z.infer<typeof historyRecordSchema>;
