import { formatNumber } from '../format.ts';
import { InputError } from '../errors.ts';

/**
 * The gc.threshold decision rule: how should a loop that must answer in time live with
 * MicroPython's stop-the-world collector?
 *
 * What it rests on (micropython-facts.md, py/gc.c): a collection marks the live set and sweeps the
 * heap up to the highest used block (since v1.22). So a pause is a part set by the live set — what
 * `picogc run` measures as pause-vs-live, collecting again right after a collection, when there is
 * no garbage — plus the sweep of whatever garbage sits above it, k µs per 16-byte block. On rp2,
 * gc.threshold() is off (-1) by default: a collection comes only when an allocation finds the heap
 * full, and then sweeps all of it. gc.threshold(n) collects after n bytes have been allocated,
 * counted in 16-byte blocks.
 *
 * Inputs: L the pause with the live set (µs), A bytes allocated per iteration, f the loop's rate
 * (Hz), B the longest stall one iteration can absorb (µs), F the heap free for garbage with the
 * live set in place (bytes), k the sweep cost of one block of garbage (µs), and optionally a seam:
 * an idle stretch of S µs that comes g times a second (between frames, after a send...).
 *
 * Derived: A16 = A rounded up to whole blocks; R = A16·f bytes/s; the default worst pause
 * Lfull = L + k·F/16 (the heap full of garbage), every F/R seconds.
 *
 * The rule, first match wins:
 *  1. leave defaults     A = 0 (nothing to collect), or Lfull ≤ B (even the worst pause fits).
 *  2. tune threshold     L + k·A16/16 ≤ B: collecting after G bytes costs L + k·G/16, which stays
 *                        within B for G ≤ Gmax = 16·(B − L)/k. The longest interval is T = Gmax/R,
 *                        and threshold = R × T = Gmax, rounded DOWN to 16 B. (Gmax < F here,
 *                        else rule 1 would have matched.)
 *  3. collect at seams   a seam fits a collection of the garbage made since the last one:
 *                        L + k·(R/g)/16 ≤ S. Call gc.collect() at each seam; the threshold is a
 *                        safety net at twice the garbage between seams, R × (1/g) × 2, rounded UP
 *                        (off when that exceeds F).
 *  4. pre-allocate       L ≤ B but one iteration's garbage already pushes a collection past B:
 *                        allocate at most Gmax per iteration (buffers made once, memoryview,
 *                        array, in-place ops), then tune the threshold to Gmax.
 *  5. smaller heap       L > B: even with no garbage a collection is too long, so what it walks
 *                        must shrink (fewer or smaller live objects, long-lived ones allocated
 *                        first so they sit low, a smaller heap) by L − B µs; until then the loop
 *                        must not allocate at all. No threshold helps.
 * With k unknown (0) the pause is taken as independent of garbage: 2 and 4 cannot apply.
 */

export const BLOCK_BYTES = 16;

export type Strategy =
  'leave-defaults' | 'tune-threshold' | 'collect-at-seams' | 'pre-allocate' | 'smaller-heap';

export const STRATEGY_TITLES: Readonly<Record<Strategy, string>> = {
  'leave-defaults': 'leave the defaults',
  'tune-threshold': 'tune gc.threshold',
  'collect-at-seams': 'call gc.collect() at the seams',
  'pre-allocate': 'pre-allocate: allocate less in the loop',
  'smaller-heap': 'shrink what a collection walks (smaller heap / live set)',
};

export interface AdviceInput {
  /** L: pause of a collection with the live set and little garbage, µs. */
  pauseUs: number;
  /** A: bytes allocated per loop iteration (a gc.mem_alloc() delta). */
  allocBytes: number;
  /** f: loop iterations per second. */
  rateHz: number;
  /** B: the longest stall one iteration can absorb, µs. */
  budgetUs: number;
  /** F: heap bytes free for garbage with the live set in place. */
  freeBytes: number;
  /** k: sweep cost per 16-byte block of garbage, µs (0 = unknown). */
  sweepUsPerBlock: number;
  /** An idle stretch of `us` µs, `hz` times a second. */
  seam?: { us: number; hz: number };
}

export interface Advice {
  strategy: Strategy;
  title: string;
  /** The value for gc.threshold(), bytes, a multiple of 16; null = leave it as it is. */
  threshold: number | null;
  /** For pre-allocate: the most the loop may allocate per iteration, bytes. */
  maxAllocBytes?: number;
  /** The arithmetic, one line each, in the order it was done. */
  lines: string[];
  /** Why this strategy, in one or two sentences. */
  because: string;
  /** What to write in the program. */
  code: string[];
}

export function advise(input: AdviceInput): Advice {
  validate(input);
  const { pauseUs: L, allocBytes: A, rateHz: f, budgetUs: B, freeBytes: F, sweepUsPerBlock: k } = input;
  const lines: string[] = [];
  const say = (line: string) => lines.push(line);

  const A16 = ceilBlocks(A);
  const R = A16 * f;
  const P = 1e6 / f;
  say(`period           P = 1e6 / f = 1e6 / ${formatNumber(f)} Hz = ${formatNumber(P)} µs`);
  say(
    `allocation       A16 = ${formatNumber(A)} B rounded up to 16-byte blocks = ${formatNumber(A16)} B per iteration`,
  );
  say(
    `allocation rate  R = A16 × f = ${formatNumber(A16)} B × ${formatNumber(f)} Hz = ${formatNumber(R)} B/s`,
  );
  const Lfull = L + (k * F) / BLOCK_BYTES;
  say(
    `worst pause      Lfull = L + k × F/16 = ${formatNumber(L)} + ${formatNumber(k)} × ${formatNumber(F)}/16 = ${formatNumber(Lfull)} µs` +
      ' (threshold off: collect when the heap is full, sweep all of it)',
  );
  if (R > 0)
    say(
      `default interval F / R = ${formatNumber(F)} B / ${formatNumber(R)} B/s = ${formatNumber(F / R)} s between collections`,
    );
  if (k === 0) say('sweep cost       k unknown: the pause is taken as independent of garbage');

  // 1. Leave the defaults.
  if (A16 === 0 || Lfull <= B) {
    say(
      A16 === 0
        ? 'rule 1           A = 0: the loop makes no garbage'
        : `rule 1           Lfull ${formatNumber(Lfull)} ≤ B ${formatNumber(B)} µs`,
    );
    return {
      strategy: 'leave-defaults',
      title: STRATEGY_TITLES['leave-defaults'],
      threshold: null,
      lines,
      because:
        A16 === 0
          ? 'The loop allocates nothing, so it never triggers a collection.'
          : `Even the longest collection (${formatNumber(Lfull)} µs, the heap full of garbage) fits the ${formatNumber(B)} µs budget of any iteration.`,
      code: ['# nothing to change'],
    };
  }

  const Gmax = k > 0 ? (BLOCK_BYTES * (B - L)) / k : 0;
  if (k > 0 && L <= B)
    say(
      `garbage limit    Gmax = 16 × (B − L) / k = 16 × (${formatNumber(B)} − ${formatNumber(L)}) / ${formatNumber(k)} = ${formatNumber(Gmax)} B`,
    );

  // 2. Tune the threshold.
  if (k > 0 && L + (k * A16) / BLOCK_BYTES <= B) {
    const T = Gmax / R;
    const threshold = floorBlocks(R * T);
    const every = Math.floor(threshold / A16);
    const pause = L + (k * threshold) / BLOCK_BYTES;
    say(
      `rule 2           L + k × A16/16 = ${formatNumber(L + (k * A16) / BLOCK_BYTES)} ≤ B ${formatNumber(B)} µs`,
    );
    say(`interval         T = Gmax / R = ${formatNumber(Gmax)} / ${formatNumber(R)} = ${formatNumber(T)} s`);
    say(
      `threshold        R × T = ${formatNumber(R)} × ${formatNumber(T)} = ${formatNumber(R * T)} B, rounded down to 16 B: ${threshold} B`,
    );
    say(
      `result           a collection every ${every} iterations (${formatNumber((every * P) / 1000)} ms), each ≤ ${formatNumber(pause)} µs`,
    );
    return {
      strategy: 'tune-threshold',
      title: STRATEGY_TITLES['tune-threshold'],
      threshold,
      lines,
      because: `A collection after ${threshold} B of garbage sweeps little enough to stay within ${formatNumber(B)} µs; waiting for a full heap would take ${formatNumber(Lfull)} µs.`,
      code: ['import gc', `gc.threshold(${threshold})`],
    };
  }

  // 3. Collect at the seams.
  if (input.seam) {
    const { us: S, hz: g } = input.seam;
    const between = R / g;
    const atSeam = L + (k * between) / BLOCK_BYTES;
    say(
      `seam garbage     R / g = ${formatNumber(R)} / ${formatNumber(g)} Hz = ${formatNumber(between)} B between seams`,
    );
    say(`seam pause       L + k × (R/g)/16 = ${formatNumber(atSeam)} µs vs seam ${formatNumber(S)} µs`);
    if (atSeam <= S) {
      const net = ceilBlocks(2 * between);
      const threshold = net <= F ? net : null;
      say(
        `threshold        R × (1/g) × 2 = ${formatNumber(2 * between)} B, rounded up to 16 B: ${net} B` +
          (threshold === null
            ? ` > F ${formatNumber(F)}: leave it off`
            : ' (a safety net: it fires only if a seam is missed)'),
      );
      return {
        strategy: 'collect-at-seams',
        title: STRATEGY_TITLES['collect-at-seams'],
        threshold,
        lines,
        because: `A collection does not fit an iteration (at least ${formatNumber(L + (k * A16) / BLOCK_BYTES)} µs > ${formatNumber(B)} µs) but fits the ${formatNumber(S)} µs seam.`,
        code: [
          'import gc',
          ...(threshold === null ? [] : [`gc.threshold(${threshold})  # safety net`]),
          '# at each seam (idle moment):',
          'gc.collect()',
        ],
      };
    }
  }

  // 4. Pre-allocate.
  if (L <= B) {
    const maxAlloc = floorBlocks(Gmax);
    say(
      `rule 4           L ${formatNumber(L)} ≤ B ${formatNumber(B)} µs, but L + k × A16/16 = ${formatNumber(L + (k * A16) / BLOCK_BYTES)} > B`,
    );
    say(
      `allocation cap   Gmax rounded down to 16 B = ${maxAlloc} B per iteration (now ${formatNumber(A16)} B)`,
    );
    return {
      strategy: 'pre-allocate',
      title: STRATEGY_TITLES['pre-allocate'],
      threshold: maxAlloc >= BLOCK_BYTES ? maxAlloc : null,
      maxAllocBytes: maxAlloc,
      lines,
      because:
        maxAlloc >= BLOCK_BYTES
          ? `Collecting the garbage of a single iteration already takes longer than ${formatNumber(B)} µs: the loop must allocate at most ${maxAlloc} B per iteration.`
          : `Even one block of garbage makes a collection overrun ${formatNumber(B)} µs: the loop must allocate nothing.`,
      code: [
        '# outside the loop: buf = bytearray(N); view = memoryview(buf)',
        '# inside: readinto(buf), in-place arithmetic, no new lists/strings/floats',
        ...(maxAlloc >= BLOCK_BYTES ? ['import gc', `gc.threshold(${maxAlloc})`] : []),
      ],
    };
  }

  // 5. Shrink what a collection walks.
  say(
    `rule 5           L ${formatNumber(L)} > B ${formatNumber(B)} µs: even with no garbage a collection overruns by ${formatNumber(L - B)} µs`,
  );
  say(
    `needed           the live-set pause must fall by ${formatNumber(L - B)} µs (to ${formatNumber((100 * B) / L)}% of it)`,
  );
  return {
    strategy: 'smaller-heap',
    title: STRATEGY_TITLES['smaller-heap'],
    threshold: null,
    lines,
    because: `A collection of the live set alone (${formatNumber(L)} µs) exceeds the ${formatNumber(B)} µs budget${input.seam ? ' and the seam' : ''}: no threshold can help.`,
    code: [
      '# fewer/smaller live objects; allocate long-lived ones first (they sit low in the heap);',
      '# keep allocation out of the loop so no collection happens in it',
    ],
  };
}

function validate(input: AdviceInput): void {
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new InputError(`${name} must be a number > 0, got ${v}`);
  };
  const nonNegative = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new InputError(`${name} must be a number ≥ 0, got ${v}`);
  };
  positive('pause', input.pauseUs);
  nonNegative('allocation per iteration', input.allocBytes);
  positive('rate', input.rateHz);
  positive('budget', input.budgetUs);
  positive('free heap', input.freeBytes);
  nonNegative('sweep cost per block', input.sweepUsPerBlock);
  if (input.seam) {
    positive('seam length', input.seam.us);
    positive('seam rate', input.seam.hz);
  }
}

/** Whole 16-byte blocks; a hair of tolerance so 96000 computed as 95999.99999 stays 96000. */
export function ceilBlocks(bytes: number): number {
  return Math.max(0, Math.ceil(bytes / BLOCK_BYTES - 1e-9)) * BLOCK_BYTES;
}

export function floorBlocks(bytes: number): number {
  return Math.floor(bytes / BLOCK_BYTES + 1e-9) * BLOCK_BYTES;
}
