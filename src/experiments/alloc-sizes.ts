import { z } from 'zod';
import { DeviceDataError, parseRecords } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  allocSampleSchema,
  type AllocSizesParams,
  type AllocSample,
} from './alloc-sizes.schema.ts';
import { analyseAllocSizes } from './alloc-sizes.analysis.ts';

const allocRecordSchema = z.object({
  kind: z.literal('alloc'),
  object: z.string(),
  model: z.string(),
  bytes: z.number().int(),
  call_overhead: z.number().int(),
});

/** What does each object cost? `gc.mem_alloc()` deltas around one allocation, inside one execution. */
export const allocSizes = defineExperiment<AllocSizesParams, AllocSample>({
  id: 'alloc-sizes',
  title: 'Allocation sizes',
  question: 'How many 16-byte blocks does each kind of object cost?',
  scripts: ['alloc_sizes'],
  paramsSchema,
  defaults: { reps: 3 },
  quick: { reps: 1 },
  sampleSchema: allocSampleSchema,
  totalSteps: (p) => p.reps,
  async run({ device, params, record, step, timeoutMs }) {
    for (let rep = 0; rep < params.reps; rep++) {
      const { stdout } = await device.exec('alloc_sizes()', { timeoutMs });
      const records = parseRecords(stdout, 'alloc', allocRecordSchema);
      if (records.length === 0) throw new DeviceDataError('alloc_sizes() printed no "alloc" data lines');
      for (const r of records) {
        record({
          type: 'alloc',
          rep,
          object: r.object,
          model: r.model,
          bytes: r.bytes,
          callOverhead: r.call_overhead,
        });
      }
      step(`rep ${rep + 1}`);
    }
  },
  analyse: analyseAllocSizes,
});
