import { z } from 'zod';

/** fragmentation's parameters and the samples it records: shared by the experiment and its analysis. */
export const paramsSchema = z.object({
  /** Size of each bytearray that fills the heap. */
  size: z.number().int().positive(),
  /** Blocks left free while filling, for the allocations the REPL itself makes. */
  marginBlocks: z.number().int().nonnegative(),
});
export type FragmentationParams = z.infer<typeof paramsSchema>;

export const fragmentationSampleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('filled'), n: z.number().int(), size: z.number().int(), memAlloc: z.number() }),
  /** `mem_info(1)` after every other block was freed and collected. */
  z.object({ type: z.literal('heap'), memInfo: z.string() }),
  /** The largest bytearray that could still be allocated (boards only). */
  z.object({ type: z.literal('largest-fit'), bytes: z.number().int() }),
]);
export type FragmentationSample = z.infer<typeof fragmentationSampleSchema>;
