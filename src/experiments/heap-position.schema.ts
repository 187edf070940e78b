import { z } from 'zod';
import { timingParams } from './rounds.ts';

/** heap-position's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  nLive: z.array(z.number().int().nonnegative()).min(1),
  size: z.number().int().positive(),
  ...timingParams,
  /** Blocks left free above the filler, so the pin lands within this distance of the top. */
  marginBlocks: z.number().int().positive(),
});
export type HeapPositionParams = z.infer<typeof paramsSchema>;

export const heapPositionSampleSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('pause'),
    nLive: z.number().int(),
    position: z.enum(['packed', 'pinned']),
    rep: z.number().int(),
    us: z.number().nonnegative(),
    method: z.enum(['ticks_us', 'work-clock', 'host-timed']),
  }),
  z.object({
    type: z.literal('heap'),
    nLive: z.number().int(),
    position: z.enum(['packed', 'pinned']),
    memInfo: z.string(),
  }),
  /** Where the pin landed, and the blocks the filler gave up to fit beside the exec's own code. */
  z.object({
    type: z.literal('pin'),
    nLive: z.number().int(),
    round: z.number().int(),
    address: z.number().int(),
    shrunkBlocks: z.number().int().nonnegative(),
  }),
]);
export type HeapPositionSample = z.infer<typeof heapPositionSampleSchema>;
