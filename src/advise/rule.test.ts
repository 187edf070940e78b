import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { advise, ceilBlocks, floorBlocks, type AdviceInput } from './rule.ts';

/** A Pico-like loop: 900 µs live-set pause, 200 B per iteration at 100 Hz, 0.05 µs per block swept. */
const loop: AdviceInput = {
  pauseUs: 900,
  allocBytes: 200,
  rateHz: 100,
  budgetUs: 2000,
  freeBytes: 160_000,
  sweepUsPerBlock: 0.05,
};

describe('advise: the five strategies', () => {
  it('1 leave defaults: the worst pause (heap full of garbage) fits the budget', () => {
    // Lfull = 900 + 0.05 × 160000/16 = 1400 µs ≤ 2000.
    const a = advise(loop);
    expect(a).toMatchObject({ strategy: 'leave-defaults', threshold: null });
    expect(a.lines).toContain(
      'worst pause      Lfull = L + k × F/16 = 900 + 0.05 × 160000/16 = 1400 µs (threshold off: collect when the heap is full, sweep all of it)',
    );
    expect(a.lines).toContain('default interval F / R = 160000 B / 20800 B/s = 7.692 s between collections');
  });

  it('1 leave defaults: a loop that allocates nothing never triggers a collection, whatever the pause', () => {
    const a = advise({ ...loop, allocBytes: 0, pauseUs: 50_000 });
    expect(a.strategy).toBe('leave-defaults');
    expect(a.because).toContain('allocates nothing');
  });

  it('2 tune threshold: threshold = rate × interval, rounded down to 16-byte blocks', () => {
    // Lfull = 1400 > 1000; Gmax = 16 × (1000 − 900) / 0.05 = 32000 B; R = 208 × 100 = 20800 B/s.
    const a = advise({ ...loop, budgetUs: 1000 });
    expect(a.strategy).toBe('tune-threshold');
    expect(a.threshold).toBe(32_000);
    expect(a.code).toEqual(['import gc', 'gc.threshold(32000)']);
    expect(a.lines).toEqual(
      expect.arrayContaining([
        'allocation       A16 = 200 B rounded up to 16-byte blocks = 208 B per iteration',
        'garbage limit    Gmax = 16 × (B − L) / k = 16 × (1000 − 900) / 0.05 = 32000 B',
        'interval         T = Gmax / R = 32000 / 20800 = 1.538 s',
        'threshold        R × T = 20800 × 1.538 = 32000 B, rounded down to 16 B: 32000 B',
        'result           a collection every 153 iterations (1530 ms), each ≤ 1000 µs',
      ]),
    );
    // Rounded down, never up: 16 × (1000 − 900) / 0.07 = 22857.1 → 22848.
    expect(advise({ ...loop, budgetUs: 1000, sweepUsPerBlock: 0.07 }).threshold).toBe(22_848);
  });

  it('3 collect at seams: a collection fits the idle stretch, the threshold is a safety net', () => {
    // L 900 > B 500: no iteration fits. Seam 3000 µs at 10 Hz: 2080 B between seams, pause 906.5 µs.
    const a = advise({ ...loop, budgetUs: 500, seam: { us: 3000, hz: 10 } });
    expect(a.strategy).toBe('collect-at-seams');
    expect(a.threshold).toBe(4160); // 2 × 2080, rounded up to 16 B
    expect(a.code).toContain('gc.collect()');
    expect(a.lines).toContain('seam pause       L + k × (R/g)/16 = 906.5 µs vs seam 3000 µs');
    // A safety net larger than the free heap is left off.
    const big = advise({ ...loop, budgetUs: 500, freeBytes: 3000, seam: { us: 3000, hz: 10 } });
    expect(big).toMatchObject({ strategy: 'collect-at-seams', threshold: null });
  });

  it('4 pre-allocate: the live set fits, one iteration of garbage does not', () => {
    // L + k × 4000/16 = 900 + 12.5 > 905 ≥ L: Gmax = 16 × 5 / 0.05 = 1600 B per iteration at most.
    const a = advise({ ...loop, allocBytes: 4000, budgetUs: 905 });
    expect(a).toMatchObject({ strategy: 'pre-allocate', maxAllocBytes: 1600, threshold: 1600 });
    expect(a.because).toContain('at most 1600 B per iteration');
    // A seam that is too short does not help.
    expect(advise({ ...loop, allocBytes: 4000, budgetUs: 905, seam: { us: 905, hz: 1 } }).strategy).toBe(
      'pre-allocate',
    );
    // Less than a block of headroom: allocate nothing.
    const none = advise({ ...loop, allocBytes: 4000, budgetUs: 900.04 });
    expect(none).toMatchObject({ strategy: 'pre-allocate', maxAllocBytes: 0, threshold: null });
  });

  it('5 smaller heap: even a collection of the live set alone overruns; no threshold helps', () => {
    const a = advise({ ...loop, budgetUs: 600 });
    expect(a).toMatchObject({ strategy: 'smaller-heap', threshold: null });
    expect(a.lines).toContain('needed           the live-set pause must fall by 300 µs (to 66.67% of it)');
  });

  it('with the sweep cost unknown the pause is taken as fixed: fits → defaults, else smaller heap', () => {
    expect(advise({ ...loop, sweepUsPerBlock: 0, budgetUs: 900 }).strategy).toBe('leave-defaults');
    const over = advise({ ...loop, sweepUsPerBlock: 0, budgetUs: 899 });
    expect(over.strategy).toBe('smaller-heap');
    expect(over.lines).toContain('sweep cost       k unknown: the pause is taken as independent of garbage');
  });
});

describe('advise: inputs', () => {
  it('refuses nonsense with a named error', () => {
    expect(() => advise({ ...loop, rateHz: 0 })).toThrow(new InputError('rate must be a number > 0, got 0'));
    expect(() => advise({ ...loop, allocBytes: -1 })).toThrow(InputError);
    expect(() => advise({ ...loop, pauseUs: Number.NaN })).toThrow(InputError);
    expect(() => advise({ ...loop, seam: { us: 10, hz: 0 } })).toThrow(/seam rate/);
  });

  it('rounds to whole 16-byte blocks without floating-point slips', () => {
    expect(floorBlocks(20800 * (32000 / 20800))).toBe(32000);
    expect(floorBlocks(31.99)).toBe(16);
    expect(ceilBlocks(200)).toBe(208);
    expect(ceilBlocks(208)).toBe(208);
    expect(ceilBlocks(0)).toBe(0);
  });
});
