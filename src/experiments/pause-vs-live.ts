import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  pauseSampleSchema,
  type PauseVsLiveParams,
  type PauseSample,
} from './pause-vs-live.schema.ts';
import { rebuild } from './rebuild.ts';
import { inRounds, timePauses } from './rounds.ts';
import { analysePauseVsLive } from './pause-vs-live.analysis.ts';

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
  defaults: { nLive: [0, 250, 500, 750, 1000, 1500, 2000], size: 48, reps: 30, rounds: 5, warmup: 2 },
  quick: { nLive: [0, 500, 1000, 2000], size: 48, reps: 12, rounds: 3, warmup: 2 },
  sampleSchema: pauseSampleSchema,
  totalSteps: (p) => Math.min(p.rounds, p.reps),
  async run({ device, params, record, step, timeoutMs }) {
    await inRounds(
      params.nLive,
      params,
      async (nLive, slice) => {
        // measure(n_live): build the live set, collect, time collections.
        parseOneRecord(
          await rebuild(device, `build(${nLive}, ${params.size})`, timeoutMs),
          'built',
          builtSchema,
        );
        if (slice.round === 0) {
          await device.timedCollect({ timeoutMs });
          record({ type: 'heap', nLive, memInfo: await device.memInfo({ heapMap: true }) });
        }
        await timePauses(device, slice, params.warmup, timeoutMs, (rep, { us, method }) =>
          record({ type: 'pause', nLive, rep, us, method }),
        );
      },
      (round) => step(`round ${round + 1}`),
    );
    await device.exec('release()', { timeoutMs });
  },
  analyse: analysePauseVsLive,
});
