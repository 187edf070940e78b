import { describe, expect, it } from 'vitest';
import { median } from '../analysis/stats.ts';
import { buildLiveSet } from './scenario.ts';
import { parseObjectSpec } from './object-sizes.ts';
import { wasmPyscriptConfig } from './port-config.ts';
import { loadVm, type MicroPythonVm } from './testing/vm.ts';

/**
 * [VM] Where the model says the mark stack overflows, the real VM's collection gets slower by a
 * whole-heap rescan; where it says nothing overflows, it does not. Facts §9: fan-out overflows,
 * depth alone does not. The VM decides; the margins are wide (a rescan of 15,368 blocks against
 * a mark of a few hundred words), so this is a behaviour check, not a benchmark.
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

/** Median closing-collection time of `keep` built by `source`, minus an execution that does not collect. */
function collectionUs(vm: MicroPythonVm, source: string, reps: number): number {
  vm.exec(`import gc\ngc.threshold(-1)\nkeep = None\ngc.collect()`);
  vm.exec(`${source}\ngc.collect()`);
  const time = (code: string) => {
    const start = process.hrtime.bigint();
    vm.exec(code);
    return Number(process.hrtime.bigint() - start) / 1000;
  };
  const collect: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < reps; i++) {
    collect.push(time('gc.collect()'));
    baseline.push(time('gc.isenabled()'));
  }
  return median(collect) - median(baseline);
}

const SHAPES = {
  // One list of k children: fan-out k.
  list: (k: number) => `keep = [bytearray(16) for i in range(${k})]`,
  // (obj, next) tuples: each level leaves its obj waiting on the stack while next is traced.
  chain: (k: number) => `keep = None\nfor i in range(${k}):\n    keep = (bytearray(16), keep)`,
  // One-item lists: each level holds only the next, so the stack never holds more than two.
  bare: (k: number) => `keep = None\nfor i in range(${k}):\n    keep = [keep]`,
};

/**
 * How much slower a collection of 65 is than of 64, the two measured in alternation, a few
 * collections at a time: the host's speed swings ×2 for seconds at a time, and a test file running
 * alongside takes CPU in bursts; measured one after the other, a swing between them once turned a
 * ×8 step into ×2.
 */
function stepAt64(vm: MicroPythonVm, source: (k: number) => string): number {
  for (let i = 0; i < 3; i++) collectionUs(vm, source(64), 11); // warm the VM's code paths
  const below: number[] = [];
  const above: number[] = [];
  for (let round = 0; round < 15; round++) {
    below.push(collectionUs(vm, source(64), 9));
    above.push(collectionUs(vm, source(65), 9));
  }
  return median(above) / Math.max(median(below), 0.5);
}

describe('[VM] mark-stack overflow: the model predicts, the VM decides', () => {
  it('the model overflows from 65 on fan-out and on (obj, next) chains', () => {
    expect([modelRescans('list', 64), modelRescans('list', 65)]).toEqual([0, 1]);
    expect([modelRescans('chain', 64), modelRescans('chain', 65)]).toEqual([0, 1]);
  });

  it('the VM steps up where the model predicts a rescan, and not for a bare chain', async () => {
    const vm = await loadVm(HEAPSIZE);
    // A whole-heap rescan (15,368 blocks) against marking ~65 small objects: several times slower.
    expect(stepAt64(vm, SHAPES.list)).toBeGreaterThan(3);
    expect(stepAt64(vm, SHAPES.chain)).toBeGreaterThan(3);
    // One more level of a bare chain is one more small object to mark: no step.
    expect(stepAt64(vm, SHAPES.bare)).toBeLessThan(2);
  });
});
