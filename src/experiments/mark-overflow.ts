import { z } from 'zod';
import { DeviceDataError, parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  markOverflowSampleSchema,
  type MarkOverflowParams,
  type MarkOverflowSample,
} from './mark-overflow.schema.ts';
import { rebuild } from './rebuild.ts';
import { inRounds, timePauses } from './rounds.ts';
import { analyseMarkOverflow } from './mark-overflow.analysis.ts';

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
