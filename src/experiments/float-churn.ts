import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  floatChurnSampleSchema,
  type FloatChurnParams,
  type FloatChurnSample,
} from './float-churn.schema.ts';
import { analyseFloatChurn } from './float-churn.analysis.ts';

const churnSchema = z.object({
  kind: z.literal('churn'),
  ops: z.number().int(),
  every: z.number().int(),
  readings: z.array(z.number()),
});

/** How fast do transient floats fill the heap? Every float result is a new 1-block object. */
export const floatChurn = defineExperiment<FloatChurnParams, FloatChurnSample>({
  id: 'float-churn',
  title: 'Float churn',
  question: 'How fast do transient floats fill the heap, and how often does that collect?',
  scripts: ['float_churn'],
  paramsSchema,
  defaults: { ops: 40_000, every: 250 },
  quick: { ops: 20_000, every: 500 },
  sampleSchema: floatChurnSampleSchema,
  totalSteps: () => 1,
  async run({ device, params, record, step, timeoutMs }) {
    const { stdout } = await device.exec(`churn(${params.ops}, ${params.every})`, { timeoutMs });
    const churn = parseOneRecord(stdout, 'churn', churnSchema);
    record({ type: 'churn', ops: churn.ops, every: churn.every, readings: churn.readings });
    step(`${params.ops} float ops`);
  },
  analyse: analyseFloatChurn,
});
