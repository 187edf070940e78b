import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { DeviceDataError } from '../device/data-lines.ts';
import { escapeBytes } from '../errors.ts';
import { heapGeometry } from './heap-geometry.ts';
import { defineExperiment } from './experiment.ts';
import { rebuild } from './rebuild.ts';
import { analyseHeapPosition } from './heap-position.analysis.ts';

const paramsSchema = z.object({
  nLive: z.array(z.number().int().nonnegative()).min(1),
  size: z.number().int().positive(),
  reps: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
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
    method: z.enum(['ticks_us', 'host-timed']),
  }),
  z.object({
    type: z.literal('heap'),
    nLive: z.number().int(),
    position: z.enum(['packed', 'pinned']),
    memInfo: z.string(),
  }),
]);
export type HeapPositionSample = z.infer<typeof heapPositionSampleSchema>;

const pinnedSchema = z.object({
  kind: z.literal('pinned'),
  ok: z.boolean(),
  address: z.number(),
  filler_address: z.number(),
  holes_filled: z.number().int(),
});

/**
 * Does a pause follow free RAM or the highest live block? The same live set is timed packed low,
 * then with one float pinned at the top of the heap: free RAM is the same, the swept range is not.
 */
export const heapPosition = defineExperiment<HeapPositionParams, HeapPositionSample>({
  id: 'pause-vs-heap-position',
  title: 'Pause vs heap position',
  question: 'Does a pause depend on free RAM, or on where the highest live block sits?',
  scripts: ['pause', 'heap_position'],
  paramsSchema,
  defaults: { nLive: [0, 1000, 2000], size: 48, reps: 30, warmup: 3, marginBlocks: 24 },
  quick: { nLive: [0, 2000], size: 48, reps: 12, warmup: 3, marginBlocks: 24 },
  sampleSchema: heapPositionSampleSchema,
  totalSteps: (p) => 2 * p.nLive.length,
  async run({ device, params, record, step, timeoutMs }) {
    const exec = (code: string) => device.exec(code, { timeoutMs });
    const timePauses = async (nLive: number, position: 'packed' | 'pinned') => {
      for (let i = 0; i < params.warmup; i++) await device.timedCollect({ timeoutMs });
      record({ type: 'heap', nLive, position, memInfo: await device.memInfo({ heapMap: true }) });
      for (let rep = 0; rep < params.reps; rep++) {
        const { us, method } = await device.timedCollect({ timeoutMs });
        record({ type: 'pause', nLive, position, rep, us, method });
      }
      step(`n_live=${nLive} ${position}`);
    };

    for (const nLive of params.nLive) {
      await rebuild(device, `build(${nLive}, ${params.size})`, timeoutMs);
      await timePauses(nLive, 'packed');

      const before = heapGeometry(await device.memInfo({ heapMap: true }));
      await exec(`prepare_pin(${before.freeBlocks - before.longestFreeRun.length + 64})`);
      const room = heapGeometry(await device.memInfo({ heapMap: true }));
      const fillBytes = (room.longestFreeRun.length - params.marginBlocks) * 16;
      const pinned = parseOneRecord((await exec(`pin_top(${fillBytes})`)).stdout, 'pinned', pinnedSchema);
      if (!pinned.ok) {
        throw new DeviceDataError(
          'could not pin an object at the top of the heap',
          escapeBytes(JSON.stringify(pinned)),
        );
      }
      await timePauses(nLive, 'pinned');
      await exec('unpin()');
    }
    await exec('release()');
  },
  analyse: analyseHeapPosition,
});
