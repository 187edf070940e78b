import { z } from 'zod';
import { DeviceDataError, parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import { rebuild } from './rebuild.ts';
import { inRounds, timePauses, timingParams } from './rounds.ts';
import { analyseMarkOverflow } from './mark-overflow.analysis.ts';

const paramsSchema = z.object({
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

const wideBuilt = z.object({ kind: z.literal('built'), shape: z.literal('wide'), size: z.number().int() });

/** What does the shape of the live graph cost? Fan-out past the mark stack vs a long chain. */
export const markOverflow = defineExperiment<MarkOverflowParams, MarkOverflowSample>({
  id: 'mark-overflow',
  title: 'Mark-stack overflow',
  question: 'What does a wide or deep object graph cost a collection?',
  scripts: ['mark_overflow'],
  paramsSchema,
  defaults: {
    wide: [16, 32, 48, 56, 60, 62, 63, 64, 65, 66, 67, 68, 72, 80, 96, 128],
    chain: [16, 64, 256, 1024],
    reps: 24,
    rounds: 4,
    warmup: 2,
  },
  quick: {
    wide: [32, 48, 60, 63, 64, 65, 66, 96],
    chain: [64, 1024],
    reps: 12,
    rounds: 3,
    warmup: 2,
  },
  sampleSchema: markOverflowSampleSchema,
  totalSteps: (p) => Math.min(p.rounds, p.reps),
  async run({ device, params, record, step, timeoutMs }) {
    const configs = [
      ...params.wide.map((size) => ({ shape: 'wide' as const, size })),
      ...params.chain.map((size) => ({ shape: 'chain' as const, size })),
    ];
    await inRounds(
      configs,
      params,
      async ({ shape, size }, slice) => {
        if (shape === 'wide') {
          const built = parseOneRecord(
            await rebuild(device, `build_wide(${size})`, timeoutMs),
            'built',
            wideBuilt,
          );
          if (built.size !== size)
            throw new DeviceDataError(`build_wide(${size}) kept ${built.size} children`);
        } else {
          await rebuild(device, `build_chain(${size})`, timeoutMs);
        }
        await timePauses(device, slice, params.warmup, timeoutMs, (rep, { us, method }) =>
          record({ type: 'pause', shape, size, rep, us, method }),
        );
      },
      (round) => step(`round ${round + 1}`),
    );
    await device.exec('release()', { timeoutMs });
  },
  analyse: analyseMarkOverflow,
});
