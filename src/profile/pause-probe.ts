import { gcTotal, type ReplDevice } from '../device/repl-device.ts';
import type { ResultRecord } from './results-records.ts';

/**
 * The two pauses the advice rests on, timed right after the program with its globals still alive:
 * L, a collection of the live set with no garbage (the device's own timed collection), and the
 * same collection after half the free heap was filled with one-block floats of fresh garbage, whose
 * difference over those blocks is k, the cost of one block of garbage: it must reach past the live
 * set (a few blocks of garbage fall into holes under the highest live block and cost nothing
 * more). On a board both are ticks_us around gc.collect() in one exec; on the virtual Pico both
 * are the closing collection of an exec.
 */

/** One float a step: a 16-byte block of garbage each on a Pico (and on the virtual Pico). */
const makeGarbage = (blocks: number) =>
  `for _pp_i in range(${blocks}):\n    _pp_x = 1.5 * _pp_i\n_pp_x = None`;

const WHOLE = (out: string) => (/^\d+\r\n$/.test(out) ? undefined : 'not a whole number');

export async function measurePauses(device: ReplDevice, record: (r: ResultRecord) => void): Promise<void> {
  const { capabilities, heapTotal } = await device.info();
  // The program's last garbage goes first, untimed: L is the live set's pause, not a full heap's.
  await device.exec('import gc\ngc.collect()');
  const live = await device.timedCollect();
  const { stdout } = await device.exec('import gc\nprint(gc.mem_alloc())', { validate: WHOLE });
  // The virtual Pico's heap grows where a Pico's would have collected: L then sweeps a bigger heap.
  const heapTotalAfter = gcTotal(await device.memInfo());
  const liveBytes = Number(stdout.trim());
  const blocks = Math.max(100, Math.floor((heapTotal - liveBytes) / 2 / 16));
  const MAKE_GARBAGE = makeGarbage(blocks);
  let garbageUs: number;
  if (capabilities.collectTiming === 'ticks_us') {
    const out = await device.exec(
      `import gc, time\n${MAKE_GARBAGE}\n_pp_t = time.ticks_us()\ngc.collect()\nprint(time.ticks_diff(time.ticks_us(), _pp_t))`,
      { validate: WHOLE },
    );
    garbageUs = Number(out.stdout.trim());
  } else {
    await device.exec(`import gc\n${MAKE_GARBAGE}\ngc.collect()`);
    const out = await device.exec('import picogc_sim\nprint(picogc_sim.last_collect_ns())', {
      validate: WHOLE,
    });
    garbageUs = Number(out.stdout.trim()) / 1000;
  }
  record({
    type: 'pause',
    us: live.us,
    method: live.method,
    liveBytes,
    heapTotalAfter,
    garbageUs,
    garbageBlocks: blocks,
  });
}
