import { z } from 'zod';

/** alloc-sizes's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({ reps: z.number().int().positive() });
export type AllocSizesParams = z.infer<typeof paramsSchema>;

export const allocSampleSchema = z.object({
  type: z.literal('alloc'),
  rep: z.number().int(),
  /** The object under test, as the report names it. */
  object: z.string(),
  /** The model's object specs it should cost, joined by `+` (e.g. `list(1)+list(10)` for `[0] * 10`). */
  model: z.string(),
  bytes: z.number().int(),
  /** What an empty measurement allocated (subtracted from `bytes`). */
  callOverhead: z.number().int(),
});
export type AllocSample = z.infer<typeof allocSampleSchema>;
