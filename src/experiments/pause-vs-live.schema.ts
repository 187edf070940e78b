import { z } from 'zod';
import { timingParams } from './rounds.ts';

/** pause-vs-live's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  nLive: z.array(z.number().int().nonnegative()).min(2),
  size: z.number().int().positive(),
  ...timingParams,
});
export type PauseVsLiveParams = z.infer<typeof paramsSchema>;

export const pauseSampleSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('pause'),
    nLive: z.number().int(),
    rep: z.number().int(),
    us: z.number().nonnegative(),
    method: z.enum(['ticks_us', 'work-clock', 'host-timed']),
  }),
  /** `mem_info(1)` after the live set is built and collected: the heap the pauses were measured on. */
  z.object({ type: z.literal('heap'), nLive: z.number().int(), memInfo: z.string() }),
]);
export type PauseSample = z.infer<typeof pauseSampleSchema>;
