import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import { rebuild } from './rebuild.ts';
import { analyseMarkOverflow } from './mark-overflow.analysis.ts';

const paramsSchema = z.object({
  /** Children of one list: the mark stack (64 entries) overflows from about 64. */
  wide: z.array(z.number().int().positive()).min(2),
  /** Depths of a chain of one-item lists: never more than a few stack entries. */
  chain: z.array(z.number().int().positive()).min(1),
  reps: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
});
export type MarkOverflowParams = z.infer<typeof paramsSchema>;

export const markOverflowSampleSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('pause'),
    shape: z.enum(['wide', 'chain']),
    size: z.number().int(),
    rep: z.number().int(),
    us: z.number().nonnegative(),
    method: z.enum(['ticks_us', 'host-timed']),
  }),
  /** How many globals the session held when a list was built: they may wait on the mark stack. */
  z.object({ type: z.literal('globals'), size: z.number().int(), globals: z.number().int() }),
]);
export type MarkOverflowSample = z.infer<typeof markOverflowSampleSchema>;

const wideBuilt = z.object({ kind: z.literal('built'), shape: z.literal('wide'), globals: z.number().int() });

/** What does the shape of the live graph cost? Fan-out past the mark stack vs a long chain. */
export const markOverflow = defineExperiment<MarkOverflowParams, MarkOverflowSample>({
  id: 'mark-overflow',
  title: 'Mark-stack overflow',
  question: 'What does a wide or deep object graph cost a collection?',
  scripts: ['mark_overflow'],
  paramsSchema,
  defaults: {
    wide: [16, 32, 40, 44, 48, 50, 52, 54, 56, 58, 60, 61, 62, 63, 64, 65, 66, 68, 72, 80, 96, 128],
    chain: [16, 64, 256, 1024],
    reps: 25,
    warmup: 3,
  },
  quick: { wide: [32, 44, 48, 52, 56, 60, 62, 63, 64, 65, 66, 96], chain: [64, 1024], reps: 12, warmup: 3 },
  sampleSchema: markOverflowSampleSchema,
  totalSteps: (p) => p.wide.length + p.chain.length,
  async run({ device, params, record, step, timeoutMs }) {
    const configs = [
      ...params.wide.map((size) => ({ shape: 'wide' as const, size })),
      ...params.chain.map((size) => ({ shape: 'chain' as const, size })),
    ];
    for (const { shape, size } of configs) {
      if (shape === 'wide') {
        const built = parseOneRecord(
          await rebuild(device, `build_wide(${size})`, timeoutMs),
          'built',
          wideBuilt,
        );
        record({ type: 'globals', size, globals: built.globals });
      } else {
        await rebuild(device, `build_chain(${size})`, timeoutMs);
      }
      for (let i = 0; i < params.warmup; i++) await device.timedCollect({ timeoutMs });
      for (let rep = 0; rep < params.reps; rep++) {
        const { us, method } = await device.timedCollect({ timeoutMs });
        record({ type: 'pause', shape, size, rep, us, method });
      }
      step(`${shape} ${size}`);
    }
    await device.exec('release()', { timeoutMs });
  },
  analyse: analyseMarkOverflow,
});
