import { beforeAll, describe, expect, it } from 'vitest';
import { GcHeap } from './heap.ts';
import { wasmPyscriptConfig } from './port-config.ts';
import { ModelRuntime } from './runtime.ts';
import { loadVm, type MicroPythonVm } from './testing/vm.ts';

/**
 * [VM] gc.threshold: the model predicts at the end of which executions the VM collects.
 *
 * What the VM can show: on the pyscript VM an allocation that finds the counter at the threshold
 * only flags a collection, which runs when the execution returns to JS. So the observable is
 * "did this execution end with a collection", seen as `gc.mem_alloc()` dropping in the next one.
 * What it cannot show: the board's behaviour of collecting at that very allocation, mid-script
 * (the model's `immediate` timing, unit-tested in heap.test.ts), nor the counter itself.
 *
 * Each execution is `sa(k)` / `sb(k)`: read mem_alloc, make k garbage objects, print. Compiling
 * and running one such line allocates blocks of its own, the same number every time. That one
 * profile — blocks per execution, and the size of its last allocation — is measured on the VM
 * with the threshold itself (for `sa(0)` only); everything else is predicted: other thresholds,
 * other object sizes (bytearray(48) = 4 blocks counts 4), accumulation over many executions,
 * the reset at every collection.
 */

const config = wasmPyscriptConfig('1.27.0');
const EXECUTIONS = 30;

interface Work {
  call: 'sa' | 'sb';
  k: number;
}

describe('[VM] threshold: collection points, model vs VM', () => {
  let vm: MicroPythonVm;
  let profile: { blocks: number; lastAllocation: number };

  beforeAll(async () => {
    vm = await loadVm(251700);
    vm.exec(
      [
        'import gc',
        'def sa(k):',
        '    r = gc.mem_alloc()',
        '    for i in range(k):',
        '        bytearray(0)',
        '    print(r)',
        'def sb(k):',
        '    r = gc.mem_alloc()',
        '    for i in range(k):',
        '        bytearray(48)',
        '    print(r)',
      ].join('\n'),
    );
    profile = measureProfile();
  });

  /** Runs `count` executions after a fresh collection; true where an execution ended with one. */
  function observe(thresholdBytes: number | null, work: Work, count: number): boolean[] {
    const step = `${work.call}(${work.k})`;
    vm.exec(thresholdBytes === null ? 'gc.threshold(16384)' : `gc.threshold(${thresholdBytes})`);
    vm.exec(step);
    vm.exec('gc.collect()');
    const readings: number[] = [];
    for (let i = 0; i <= count; i++) readings.push(Number(vm.exec(step).trim()));
    // After a collection the next reading falls back; without one it only grows.
    return readings.slice(1).map((r, i) => r <= readings[i]!);
  }

  /** The model of the same run: per execution the profile's blocks, with the work before its last allocation. */
  function predict(thresholdBytes: number | null, work: Work, count: number): boolean[] {
    const heap = new GcHeap(config);
    if (thresholdBytes !== null) heap.setThresholdBytes(thresholdBytes);
    const rt = new ModelRuntime(heap);
    const out: boolean[] = [];
    for (let i = 0; i < count; i++) {
      for (let b = 0; b < profile.blocks - profile.lastAllocation; b++) rt.malloc(16, 'h');
      for (let j = 0; j < work.k; j++) rt.bytearray(work.call === 'sa' ? 0 : 48);
      rt.malloc(16 * profile.lastAllocation, 'h');
      out.push(heap.endTopLevelCall() !== null);
    }
    return out;
  }

  /**
   * With the counter at 0, execution 1 collects iff the amount at its last allocation (A) reaches
   * the threshold, and execution 2 iff blocks-per-execution + A does. The largest thresholds
   * that still do, found by bisection, give both.
   */
  function measureProfile(): { blocks: number; lastAllocation: number } {
    const largest = (collectsBy: number): number => {
      let lo = 1;
      let hi = 4000;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const first = observe(mid * 16, { call: 'sa', k: 0 }, 3).indexOf(true);
        if (first >= 0 && first <= collectsBy) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const atLast = largest(0);
    const blocks = largest(1) - atLast;
    return { blocks, lastAllocation: blocks - atLast };
  }

  it('measures a stable per-execution profile', () => {
    // Dozens of blocks (lexer, parser, bytecode) per one-line execution; the last one is small.
    expect(profile.blocks).toBeGreaterThan(10);
    expect(profile.blocks).toBeLessThan(1000);
    expect(profile.lastAllocation).toBeGreaterThanOrEqual(1);
    expect(profile.lastAllocation).toBeLessThan(profile.blocks);
  });

  it('reads back the threshold as the model stores it: bytes in, blocks kept', () => {
    const heap = new GcHeap(config);
    expect(Number(vm.exec('gc.threshold(16384)\nprint(gc.threshold())').trim())).toBe(heap.thresholdBytes());
    heap.setThresholdBytes(1000);
    expect(Number(vm.exec('gc.threshold(1000)\nprint(gc.threshold())').trim())).toBe(heap.thresholdBytes());
    expect(heap.thresholdBytes()).toBe(992);
  });

  const cases: [number | null, Work][] = [
    // 83 and 84 blocks sit on either side of one execution's amount at its last allocation.
    [83 * 16, { call: 'sa', k: 0 }],
    [84 * 16, { call: 'sa', k: 0 }],
    [1000, { call: 'sa', k: 0 }],
    [1600, { call: 'sa', k: 5 }],
    [2400, { call: 'sb', k: 3 }],
    [4000, { call: 'sb', k: 9 }],
    [11200, { call: 'sa', k: 7 }],
    [11200, { call: 'sb', k: 7 }],
    [null, { call: 'sb', k: 2 }],
  ];
  for (const [threshold, work] of cases) {
    it(`gc.threshold(${threshold ?? '16384, the VM default'}) with ${work.call}(${work.k})`, () => {
      const observed = observe(threshold, work, EXECUTIONS);
      const predicted = predict(threshold, work, EXECUTIONS);
      expect(observed.map(Number).join('')).toBe(predicted.map(Number).join(''));
      // Neither trivially all-collect nor never-collect, except the smallest thresholds.
      if (threshold === null || threshold > 84 * 16)
        expect(observed.filter((c) => !c).length).toBeGreaterThan(0);
      expect(observed.filter((c) => c).length).toBeGreaterThan(0);
    });
  }
});
