import { SOFT_DOUBLE_TABLE, SOFT_FLOAT_TABLE } from '../../src/emu/hle-rom/float-routines.mjs';
import type { RealRom } from '../support/real-rom.ts';
import { ARG_KINDS, resultWords, vectorsFor } from './vectors.ts';

/** One routine of the HLE tables held against the same slot of a real ROM over many vectors. */
export interface RoutineComparison {
  name: string;
  table: 'SF' | 'SD';
  index: number;
  vectors: number;
  mismatches: { args: number[]; rom: number[]; hle: number[] }[];
  mismatchCount: number;
  /** Largest difference in units in the last place (transcendentals; 0 for an exact match). */
  maxUlp: number;
  romCycles: number[];
  hleCycles: number[];
}

/** The distance between two results as ordered floats (bits as a signed-magnitude integer). */
function ulpDistance(a: number[], b: number[], words: number, isFloat: boolean): number {
  const order = (w: number[]) => {
    const v = words === 2 ? (BigInt(w[1]! >>> 0) << 32n) | BigInt(w[0]! >>> 0) : BigInt(w[0]! >>> 0);
    const signBit = words === 2 ? 1n << 63n : 1n << 31n;
    return v & signBit ? -(v & (signBit - 1n)) : v;
  };
  if (!isFloat) return a.every((x, i) => x === b[i]) ? 0 : Infinity;
  const d = order(a) - order(b);
  return Number(d < 0n ? -d : d);
}

export function compareRoutine(
  rom: RealRom,
  routine: { name: string; table: 'SF' | 'SD'; index: number },
  count: number,
  seed: number,
  keep = 8,
): RoutineComparison {
  const entry = (routine.table === 'SF' ? SOFT_FLOAT_TABLE : SOFT_DOUBLE_TABLE)[routine.index];
  if (!entry) throw new Error(`${routine.name}: no HLE entry`);
  const kind = ARG_KINDS[routine.name];
  if (!kind) throw new Error(`${routine.name}: no argument kind`);
  const words = resultWords(routine.name);
  const floatResult = !/2(u?int|u?fix)(64)?$/.test(routine.name) && !/cmp$/.test(routine.name);
  const address = rom.entry(routine.table, routine.index);
  const out: RoutineComparison = {
    ...routine,
    vectors: 0,
    mismatches: [],
    mismatchCount: 0,
    maxUlp: 0,
    romCycles: [],
    hleCycles: [],
  };
  for (const args of vectorsFor(kind, count, seed, routine.name)) {
    const real = rom.call(address, args);
    const romResult = real.regs.slice(0, words);
    const hleResult = entry
      .run([...args, 0, 0, 0, 0].slice(0, 4))
      .slice(0, words)
      .map((x) => x >>> 0);
    out.vectors++;
    out.romCycles.push(real.cycles);
    out.hleCycles.push(entry.cycles(args));
    const ulp = ulpDistance(romResult, hleResult, words, floatResult);
    if (ulp !== 0) {
      out.mismatchCount++;
      out.maxUlp = Math.max(out.maxUlp, ulp);
      if (out.mismatches.length < keep) out.mismatches.push({ args, rom: romResult, hle: hleResult });
    }
  }
  return out;
}
