// The ROM's bit routines (function table codes P3, R3, L3, T3; RP2040 datasheet §2.8.3.1.1), done in
// JavaScript on r0. Each charges what the real B1 ROM's routine costs on rp2040js (rom-costs.mjs):
// popcount32 and reverse32 a fixed count, clz32 and ctz32 a count that depends on where the highest
// (lowest) set bit is.
import { ROM_COSTS } from './rom-costs.mjs';

const { bits } = ROM_COSTS;

export function popcount32(x) {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) >>> 0;
}

export function reverse32(x) {
  let v = x >>> 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Leading zeros; 32 for 0 (as the ROM's). */
export const clz32 = (x) => Math.clz32(x >>> 0);

/** Trailing zeros; 32 for 0 (as the ROM's). */
export function ctz32(x) {
  const v = x >>> 0;
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** The cost tables are indexed 0 for x = 0, else 1 + the bit's index. */
const highestBitSlot = (x) => (x >>> 0 === 0 ? 0 : 32 - clz32(x));
const lowestBitSlot = (x) => (x >>> 0 === 0 ? 0 : 1 + ctz32(x));

const onR0 = (code, name, fn, cost) => ({
  code,
  name,
  call(chip) {
    const x = chip.registers[0];
    chip.registers[0] = fn(x);
    return cost(x);
  },
});

export const BIT_ROUTINES = [
  onR0('P3', 'popcount32', popcount32, () => bits.popcount32),
  onR0('R3', 'reverse32', reverse32, () => bits.reverse32),
  onR0('L3', 'clz32', clz32, (x) => bits.clz32[highestBitSlot(x)]),
  onR0('T3', 'ctz32', ctz32, (x) => bits.ctz32[lowestBitSlot(x)]),
];
