import { z } from 'zod';

/** threshold's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  /** gc.threshold() settings to try, in bytes as the API takes them. */
  thresholds: z.array(z.number().int().positive()).min(1),
  /** Size of each garbage bytearray on a board (one header block plus its data). */
  size: z.number().int().positive(),
  /** Collection cycles to observe per setting. */
  cycles: z.number().int().positive(),
});
export type ThresholdParams = z.infer<typeof paramsSchema>;

export const thresholdSampleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threshold'), requested: z.number().int(), readback: z.number().int() }),
  z.object({
    type: z.literal('readings'),
    threshold: z.number().int(),
    /** `in-exec`: one execution allocating in a loop (board); `per-exec`: one allocation per execution. */
    mode: z.enum(['in-exec', 'per-exec']),
    stepBytes: z.number().int(),
    /** gc.mem_alloc() after each step; a drop is a collection. */
    readings: z.array(z.number()),
  }),
]);
export type ThresholdSample = z.infer<typeof thresholdSampleSchema>;
