import { z } from 'zod';
import { parseOneRecord } from '../device/data-lines.ts';
import { DeviceDataError } from '../device/data-lines.ts';
import { escapeBytes } from '../errors.ts';
import { heapGeometry } from './heap-geometry.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  heapPositionSampleSchema,
  type HeapPositionParams,
  type HeapPositionSample,
} from './heap-position.schema.ts';
import { rebuild } from './rebuild.ts';
import { inRounds, timePauses } from './rounds.ts';
import { analyseHeapPosition } from './heap-position.analysis.ts';

type Slice = { round: number; reps: number; firstRep: number };

const pinnedSchema = z.object({
  kind: z.literal('pinned'),
  ok: z.boolean(),
  address: z.number(),
  filler_address: z.number(),
  holes_filled: z.number().int(),
  /** 16-block steps the filler gave up to fit beside the exec's own code (heap_position.py). */
  shrunk: z.number().int().nonnegative(),
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
  defaults: { nLive: [0, 1000, 2000], size: 48, reps: 30, rounds: 5, warmup: 2, marginBlocks: 24 },
  quick: { nLive: [0, 2000], size: 48, reps: 12, rounds: 3, warmup: 2, marginBlocks: 24 },
  sampleSchema: heapPositionSampleSchema,
  totalSteps: (p) => Math.min(p.rounds, p.reps),
  async run({ device, info, params, record, step, timeoutMs }) {
    const exec = (code: string) => device.exec(code, { timeoutMs });
    const measure = async (nLive: number, position: 'packed' | 'pinned', slice: Slice) => {
      if (slice.round === 0) {
        await device.timedCollect({ timeoutMs });
        record({ type: 'heap', nLive, position, memInfo: await device.memInfo({ heapMap: true }) });
      }
      await timePauses(device, slice, params.warmup, timeoutMs, (rep, { us, method }) =>
        record({ type: 'pause', nLive, position, rep, us, method }),
      );
    };
    const pinTop = async (nLive: number, round: number) => {
      // Read from a collected heap (memInfo collects first on the virtual Pico, whose map would show
      // the garbage of every exec since, a failed try's too): the pin is sized the same whatever the link did.
      const before = heapGeometry(await device.memInfo({ heapMap: true }));
      // What it allocates outlives the exec: it lands where it would without a failed try's garbage.
      await device.exec(`prepare_pin(${before.freeBlocks - before.longestFreeRun.length + 192})`, {
        timeoutMs,
        collectFirst: true,
      });
      // A board collects at the start of pin_top(): the heap map it is sized from is read from a
      // collected heap too, the low holes counted as pin_top() will find them (its own code's
      // garbage aside, which the 192 spare slots cover).
      if (!info.capabilities.deferredCollect) await exec('import gc\ngc.collect()');
      const room = heapGeometry(await device.memInfo({ heapMap: true }));
      const fillBytes = (room.longestFreeRun.length - params.marginBlocks) * 16;
      // A heap that grows places a filler too big for the run elsewhere instead of refusing it.
      const { start, length } = room.longestFreeRun;
      const runEnd = info.capabilities.heapGrows ? room.poolStart + (start + length) * 16 : 'None';
      const pinned = parseOneRecord(
        (await device.exec(`pin_top(${fillBytes}, ${runEnd})`, { timeoutMs, collectFirst: true })).stdout,
        'pinned',
        pinnedSchema,
      );
      if (!pinned.ok) {
        throw new DeviceDataError(
          'could not pin an object at the top of the heap',
          escapeBytes(JSON.stringify(pinned)),
        );
      }
      record({ type: 'pin', nLive, round, address: pinned.address, shrunkBlocks: pinned.shrunk * 16 });
    };

    await inRounds(
      params.nLive,
      params,
      async (nLive, slice) => {
        await rebuild(device, `build(${nLive}, ${params.size})`, timeoutMs);
        await measure(nLive, 'packed', slice);
        await pinTop(nLive, slice.round);
        await measure(nLive, 'pinned', slice);
        await exec('unpin()');
      },
      (round) => step(`round ${round + 1}`),
    );
    await exec('release()');
  },
  analyse: analyseHeapPosition,
});
