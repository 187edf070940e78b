import { advise, type Advice } from '../advise/rule.ts';
import { formatNumber } from '../format.ts';
import type { AllocRate } from './alloc-rate.ts';
import type { Collection } from './collections.ts';
import type { MarkGaps } from './mark-gaps.ts';

/**
 * The `advise` rule (src/advise/rule.ts) fed with what the profile measured, each input saying where
 * it came from: L the pause timed right after the program with its globals alive, f a mark's
 * iteration rate, A its bytes per iteration (measured by the marks, or R / f), F the heap left free
 * by the live set, k the sweep cost per block of garbage (the same collection timed again with the
 * free heap filled by fresh garbage; the in-program collections, where there are any, cross-check
 * it), B the budget given, or one median iteration.
 */

export interface AdviceFromProfile {
  mark: string;
  advice: Advice;
  inputs: string[];
}

export interface ProfileMeasures {
  marks: readonly MarkGaps[];
  rate: AllocRate | undefined;
  collections: readonly Collection[];
  pause: { us: number; liveBytes: number; garbageUs: number; garbageBlocks: number } | undefined;
  heapTotal: number;
}

export function adviceFromProfile(
  m: ProfileMeasures,
  options: { markName?: string; budgetUs?: number },
): AdviceFromProfile | { why: string } {
  if (!m.pause) return { why: 'no pause was measured after the program (the device did not answer)' };
  const candidates = m.marks.filter((x) => x.gapUs && x.rateHz > 0);
  const mark = options.markName
    ? candidates.find((x) => x.name === options.markName)
    : [...candidates].sort((a, b) => b.calls - a.calls)[0];
  if (!mark)
    return {
      why: options.markName
        ? `no mark named "${options.markName}" was called twice or more`
        : 'the program called no picogc_probe.mark() twice or more: without a loop rate there is no budget to advise on',
    };
  const inputs: string[] = [];
  const L = Math.max(m.pause.us, 1);
  inputs.push(`L = ${formatNumber(L)} µs: one collection timed right after the program, its globals alive`);
  const f = mark.rateHz;
  inputs.push(`f = ${formatNumber(f)} Hz: calls of mark "${mark.name}" a second`);
  let A: number;
  if (mark.allocPerIteration !== undefined) {
    A = mark.allocPerIteration;
    inputs.push(`A = ${formatNumber(A)} B: the median gc.mem_alloc() rise between two "${mark.name}" marks`);
  } else if (m.rate) {
    // R is the heap's net filling rate: frees can outweigh a loop that allocates nothing (a frame
    // freed after the first reading), and a heap that does not fill makes no garbage to collect.
    A = Math.max(0, m.rate.bytesPerSecond / f);
    inputs.push(
      `A = R / f = ${formatNumber(m.rate.bytesPerSecond)} B/s / ${formatNumber(f)} Hz = ${formatNumber(A)} B (R from the sampler up to the loop's last mark, the probe's own prints left out${m.rate.bytesPerSecond < 0 ? '; the heap did not fill: 0' : ''})`,
    );
  } else return { why: 'no allocation was measured (too few gc.mem_alloc() readings)' };
  const F = Math.max(m.heapTotal - m.pause.liveBytes, 16);
  inputs.push(
    `F = ${formatNumber(m.heapTotal)} − ${formatNumber(m.pause.liveBytes)} = ${formatNumber(F)} B: the heap less the live set after that collection`,
  );
  // k: the same live set's collection with the heap full of fresh garbage, timed on the device, less
  // L, over the garbage blocks: exactly what the rule's Lfull = L + k × F/16 needs. The program's own
  // collections, where they were timed (a board), cross-check it; each is known to ±P/2 only.
  const afterProgram = measuredSweepCost(m.pause);
  const inProgram = sweepCost(m.collections, L);
  const k = afterProgram;
  inputs.push(
    `k = (${formatNumber(m.pause.garbageUs)} − ${formatNumber(m.pause.us)}) / ${m.pause.garbageBlocks} = ${formatNumber(k)} µs per block: the same collection with the free heap filled by ${m.pause.garbageBlocks} blocks of fresh garbage`,
  );
  if (inProgram !== undefined)
    inputs.push(
      `(cross-check: k = ${formatNumber(inProgram)} µs per block, the median of (stall − L) / (freed / 16) over the program's ${m.collections.filter((c) => c.stallUs !== null && !c.inFlush).length} timed collections)`,
    );
  const B = options.budgetUs ?? mark.gapUs!.p50;
  inputs.push(
    options.budgetUs !== undefined
      ? `B = ${formatNumber(B)} µs: given (--budget-us)`
      : `B = ${formatNumber(B)} µs: one median "${mark.name}" iteration (no --budget-us given: the real slack of an iteration is smaller; give it)`,
  );
  const advice = advise({
    pauseUs: L,
    allocBytes: A,
    rateHz: f,
    budgetUs: B,
    freeBytes: F,
    sweepUsPerBlock: k,
  });
  return { mark: mark.name, advice, inputs };
}

/** k from the two pauses after the program: the garbage's extra µs over its blocks (never below 0). */
export function measuredSweepCost(pause: { us: number; garbageUs: number; garbageBlocks: number }): number {
  return Math.max(0, (pause.garbageUs - pause.us) / pause.garbageBlocks);
}

/** Sweep µs per freed block, from collections timed inside the program; undefined if none was. */
export function sweepCost(collections: readonly Collection[], L: number): number | undefined {
  const per = collections
    .filter((c) => c.stallUs !== null && !c.inFlush && c.freedBytes >= 16)
    .map((c) => Math.max(0, c.stallUs! - L) / (c.freedBytes / 16))
    .sort((a, b) => a - b);
  if (per.length === 0) return undefined;
  return per[Math.floor((per.length - 1) / 2)]!;
}
