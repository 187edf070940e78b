import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  thresholdSampleSchema,
  type ThresholdParams,
  type ThresholdSample,
} from './threshold.schema.ts';
import { analyseThreshold } from './threshold.analysis.ts';

const thresholdRecord = z.object({
  kind: z.literal('threshold'),
  requested: z.number().int(),
  readback: z.number().int(),
});
const cycleRecord = z.object({
  kind: z.literal('cycle'),
  size: z.number().int(),
  readings: z.array(z.number()),
});
const stepRecord = z.object({ kind: z.literal('step'), size: z.number().int(), mem_alloc: z.number() });

/** Blocks one garbage step allocates: a bytearray header and its data. */
export const stepBlocks = (bytes: number) => 1 + Math.ceil(bytes / 16);

/**
 * On a device that collects only when an execution returns, each execution allocates just under a
 * quarter of the threshold, so a collection is due every fourth execution.
 */
export const perExecStepBytes = (threshold: number) => (Math.floor(threshold / 16 / 4) - 3) * 16;

/** What does gc.threshold(n) do? The collection cadence, read from the gc.mem_alloc() sawtooth. */
export const threshold = defineExperiment<ThresholdParams, ThresholdSample>({
  id: 'threshold',
  title: 'gc.threshold cadence',
  question: 'What does gc.threshold(n) do: when does it collect, counted in what?',
  scripts: ['threshold'],
  paramsSchema,
  defaults: { thresholds: [4096, 16384, 65536], size: 48, cycles: 3 },
  quick: { thresholds: [4096, 16384], size: 48, cycles: 3 },
  sampleSchema: thresholdSampleSchema,
  totalSteps: (p) => p.thresholds.length,
  async run({ device, info, params, record, step, timeoutMs }) {
    const exec = async (code: string) => (await device.exec(code, { timeoutMs })).stdout;
    try {
      for (const requested of params.thresholds) {
        const set = parseOneRecord(await exec(`set_threshold(${requested})`), 'threshold', thresholdRecord);
        record({ type: 'threshold', requested: set.requested, readback: set.readback });
        const blocks = Math.floor(requested / 16);
        if (info.capabilities.deferredCollect) {
          const stepBytes = perExecStepBytes(requested);
          const readings: number[] = [];
          for (let i = 0; i < 4 * params.cycles + 2; i++) {
            readings.push(parseOneRecord(await exec(`step(${stepBytes})`), 'step', stepRecord).mem_alloc);
          }
          record({ type: 'readings', threshold: requested, mode: 'per-exec', stepBytes, readings });
        } else {
          const steps = Math.ceil((params.cycles * blocks) / stepBlocks(params.size)) + 4;
          const cycle = parseOneRecord(await exec(`cycle(${params.size}, ${steps})`), 'cycle', cycleRecord);
          record({
            type: 'readings',
            threshold: requested,
            mode: 'in-exec',
            stepBytes: params.size,
            readings: cycle.readings,
          });
        }
        step(`threshold ${requested}`);
      }
    } catch (error) {
      await exec('restore()').catch(() => undefined);
      throw error;
    }
    // gc.threshold survives a soft reset on a Pico: leave the board as it was found.
    await exec('restore()');
  },
  analyse: analyseThreshold,
});
