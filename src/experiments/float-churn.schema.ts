import { z } from 'zod';

/** float-churn's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  ops: z.number().int().positive(),
  /** Read gc.mem_alloc() every this many operations. */
  every: z.number().int().positive(),
});
export type FloatChurnParams = z.infer<typeof paramsSchema>;

export const floatChurnSampleSchema = z.object({
  type: z.literal('churn'),
  ops: z.number().int(),
  every: z.number().int(),
  /** gc.mem_alloc() before the first operation and after every `every` operations. */
  readings: z.array(z.number()),
});
export type FloatChurnSample = z.infer<typeof floatChurnSampleSchema>;
