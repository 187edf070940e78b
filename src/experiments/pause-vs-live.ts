import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import { rebuild } from './rebuild.ts';
import { analysePauseVsLive } from './pause-vs-live.analysis.ts';

const paramsSchema = z.object({
  nLive: z.array(z.number().int().nonnegative()).min(2),
  size: z.number().int().positive(),
  reps: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
});
export type PauseVsLiveParams = z.infer<typeof paramsSchema>;

export const pauseSampleSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('pause'),
    nLive: z.number().int(),
    rep: z.number().int(),
    us: z.number().nonnegative(),
    method: z.enum(['ticks_us', 'host-timed']),
  }),
  /** `mem_info(1)` after the live set is built and collected: the heap the pauses were measured on. */
  z.object({ type: z.literal('heap'), nLive: z.number().int(), memInfo: z.string() }),
]);
export type PauseSample = z.infer<typeof pauseSampleSchema>;

const builtSchema = z.object({ kind: z.literal('built'), n_live: z.number().int(), mem_alloc: z.number() });

/**
 * How does a collection's pause grow with the number of live objects? The article's
 * measure(n_live): build n_live bytearrays that stay alive, then time repeated collections.
 */
export const pauseVsLive = defineExperiment<PauseVsLiveParams, PauseSample>({
  id: 'pause-vs-live',
  title: 'Pause vs live objects',
  question: 'How does a gc.collect() pause grow with the number of live objects?',
  scripts: ['pause'],
  paramsSchema,
  defaults: { nLive: [0, 250, 500, 750, 1000, 1500, 2000], size: 48, reps: 30, warmup: 3 },
  quick: { nLive: [0, 500, 1000, 2000], size: 48, reps: 12, warmup: 3 },
  sampleSchema: pauseSampleSchema,
  totalSteps: (p) => p.nLive.length,
  async run({ device, params, record, step, timeoutMs }) {
    for (const nLive of params.nLive) {
      await measure(nLive);
      step(`n_live=${nLive}`);
    }
    await device.exec('release()', { timeoutMs });

    async function measure(nLive: number) {
      parseOneRecord(
        await rebuild(device, `build(${nLive}, ${params.size})`, timeoutMs),
        'built',
        builtSchema,
      );
      for (let i = 0; i < params.warmup; i++) await device.timedCollect({ timeoutMs });
      record({ type: 'heap', nLive, memInfo: await device.memInfo({ heapMap: true }) });
      for (let rep = 0; rep < params.reps; rep++) {
        const { us, method } = await device.timedCollect({ timeoutMs });
        record({ type: 'pause', nLive, rep, us, method });
      }
    }
  },
  analyse: analysePauseVsLive,
});
