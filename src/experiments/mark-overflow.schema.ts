import { z } from 'zod';
import { timingParams } from './rounds.ts';

/** mark-overflow's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  /**
   * Children held in `sys.argv`, whose item array is a root traced with an empty mark stack: the
   * 64-entry stack overflows at 65. Sizes next to each other around that point place the cliff.
   */
  wide: z.array(z.number().int().positive()).min(2),
  /** Depths of a chain of one-item lists: never more than a few stack entries. */
  chain: z.array(z.number().int().positive()).min(1),
  ...timingParams,
});
export type MarkOverflowParams = z.infer<typeof paramsSchema>;

export const markOverflowSampleSchema = z.object({
  type: z.literal('pause'),
  shape: z.enum(['wide', 'chain']),
  size: z.number().int(),
  rep: z.number().int(),
  us: z.number().nonnegative(),
  method: z.enum(['ticks_us', 'work-clock', 'host-timed']),
});
export type MarkOverflowSample = z.infer<typeof markOverflowSampleSchema>;
