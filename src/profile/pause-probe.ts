import { gcTotal } from '../device/mem-info-check.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import type { ResultRecord } from './results-records.ts';

/**
 * The two pauses the advice and the stall check rest on, timed right after the program with its
 * globals still alive:
 * - L, a collection of the live set with no garbage (the device's own timed collection): what
 *   `pause-vs-live` times for a live set;
 * - Lfull, the same live set's collection with every free block but a margin taken by one-block
 *   floats of garbage: the heap as the program's own collections find it (threshold off, a Pico
 *   collects only when an allocation fails). Its stalls are this collection.
 * k = (Lfull − L) / garbage blocks is then what the rule's Lfull = L + k × F/16 needs. A half fill
 * (the earlier way) measured 0.037 µs a block on v1.28.0 where the program's own collections
 * showed 0.2: its floats fell into the holes under the live set's highest block, which L's sweep
 * walks anyway (since v1.22 a sweep stops at the last used block), so it timed freeing a block,
 * not walking one. Measured on the device: 0.32 µs a block walked and freed on a packed heap.
 */

/** Free blocks left out of the fill: what the exec itself and the timed collection's own calls need. */
export const FILL_MARGIN_BLOCKS = 256;

const WHOLE = (out: string) => (/^\d+\r\n$/.test(out) ? undefined : 'not a whole number');
const FOUR_WHOLE = (out: string) =>
  /^\d+ \d+ \d+ \d+\r\n$/.test(out) ? undefined : 'not four whole numbers';

export async function measurePauses(device: ReplDevice, record: (r: ResultRecord) => void): Promise<void> {
  const { capabilities } = await device.info();
  // The program's last garbage goes first, untimed: L is the live set's pause, not a full heap's.
  await device.exec('import gc\ngc.collect()');
  const live = await device.timedCollect();
  const { stdout } = await device.exec('import gc\nprint(gc.mem_alloc())', { validate: WHOLE });
  // The virtual Pico's heap grows where a Pico's would have collected: L then sweeps a bigger heap.
  const heapTotalAfter = gcTotal(await device.memInfo());
  const liveBytes = Number(stdout.trim());
  let full: { us: number; blocks: number; freeBefore: number; freeAfterFill: number };
  if (capabilities.collectTiming === 'ticks_us') {
    const out = await device.exec(`import gc\nprint('%d %d %d %d' % _pp_full_pause(${FILL_MARGIN_BLOCKS}))`, {
      validate: FOUR_WHOLE,
    });
    const [us, blocks, freeBefore, freeAfterFill] = out.stdout.trim().split(' ').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    full = { us, blocks, freeBefore, freeAfterFill };
  } else {
    // The virtual Pico's gc.mem_free() counts the room it may grow by: the fill is sized from its
    // GC total instead, and the exec's closing collection is the one timed.
    const freeBefore = heapTotalAfter - liveBytes;
    const blocks = Math.max(1, Math.floor(freeBefore / 16) - FILL_MARGIN_BLOCKS);
    await device.exec(`import gc\n_pp_fill(${blocks})\ngc.collect()`);
    const out = await device.exec('import picogc_sim\nprint(picogc_sim.last_collect_ns())', {
      validate: WHOLE,
    });
    full = { us: Number(out.stdout.trim()) / 1000, blocks, freeBefore, freeAfterFill: -1 };
  }
  // (a heap too full to fill leaves the pause unmeasured: the caller says so, never a made-up k)
  if (full.blocks < 1) throw new Error(`no free heap to fill after the program (${full.freeBefore} B free)`);
  record({
    type: 'pause',
    us: live.us,
    method: live.method,
    liveBytes,
    heapTotalAfter,
    garbageUs: full.us,
    garbageBlocks: full.blocks,
    freeBefore: full.freeBefore,
    ...(full.freeAfterFill >= 0 ? { freeAfterFill: full.freeAfterFill } : {}),
  });
}
