import { describe, expect, it } from 'vitest';
import { buildLiveSet } from './scenario.ts';
import { parseObjectSpec } from './object-sizes.ts';
import { wasmPyscriptConfig } from './port-config.ts';
import { ReplDriver } from '../sim/testing.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';

/**
 * [VM] Where the model says the mark stack overflows, the real VM's collection gets slower by a
 * whole-heap rescan; where it says nothing overflows, it does not. Facts §9: fan-out overflows,
 * depth alone does not. The VM decides. It is the virtual Pico's, timed by its work clock: counted
 * instructions, the same on any host, so each step is a fixed figure of this VM and is held to it
 * (a new VM build or instrumenter may move it; the model's prediction must still hold).
 */
const config = wasmPyscriptConfig('1.27.0');
const HEAPSIZE = 251_700;

function modelRescans(shape: 'list' | 'chain', live: number): number {
  const { heap } = buildLiveSet({
    config,
    heapBytes: HEAPSIZE,
    live,
    object: parseObjectSpec('bytearray(16)'),
    shape,
  });
  return heap.collectNow('explicit').work.rescans;
}

/**
 * The closing collection of `keep` built by `source`, in instructions the virtual Pico's work clock
 * counted (deterministic: the same sequence gives the same count on any host, so one reading is the
 * figure). The first collection after the build also frees its garbage; the second is the one read.
 */
async function collectionWork(repl: ReplDriver, source: string): Promise<number> {
  await repl.run(`keep = None\n${source}`);
  const counted = async () => {
    await repl.run('import gc\ngc.collect()');
    return Number((await repl.run('import picogc_sim\nprint(picogc_sim.last_collect_work())')).trim());
  };
  await counted();
  return counted();
}

const SHAPES = {
  // One list of k children: fan-out k.
  list: (k: number) => `keep = [bytearray(16) for i in range(${k})]`,
  // (obj, next) tuples: each level leaves its obj waiting on the stack while next is traced.
  chain: (k: number) => `keep = None\nfor i in range(${k}):\n    keep = (bytearray(16), keep)`,
  // One-item lists: each level holds only the next, so the stack never holds more than two.
  bare: (k: number) => `keep = None\nfor i in range(${k}):\n    keep = [keep]`,
};

/** How much more work a collection of 65 is than of 64. */
async function stepAt64(repl: ReplDriver, source: (k: number) => string): Promise<number> {
  const below = await collectionWork(repl, source(64));
  const above = await collectionWork(repl, source(65));
  return above / below;
}

describe('[VM] mark-stack overflow: the model predicts, the VM decides', () => {
  it('the model overflows from 65 on fan-out and on (obj, next) chains', () => {
    expect([modelRescans('list', 64), modelRescans('list', 65)]).toEqual([0, 1]);
    expect([modelRescans('chain', 64), modelRescans('chain', 65)]).toEqual([0, 1]);
  });

  it('the VM steps up where the model predicts a rescan, and not for a bare chain', async () => {
    const pico = await VirtualPico.start({ heapBytes: HEAPSIZE, clock: 'work' });
    const repl = new ReplDriver(pico.link);
    await repl.until('>>> ');
    await repl.enterRaw();
    // A whole-heap rescan (15,368 blocks) against marking ~65 small objects: ×10.2 and ×8.6.
    try {
      expect(await stepAt64(repl, SHAPES.list)).toBeCloseTo(10.24, 2);
      expect(await stepAt64(repl, SHAPES.chain)).toBeCloseTo(8.6, 2);
      // One more level of a bare chain is one more small object to mark: under 1% more work.
      expect(await stepAt64(repl, SHAPES.bare)).toBeCloseTo(1.008, 3);
    } finally {
      await pico.close();
    }
  });
});
