// sin, cos, tan, atan2, exp and ln of the ROM's tables, computed with the host's Math and rounded to
// the format. The ROM computes these in fixed point (CORDIC and friends) and is not correctly
// rounded, so these results may differ from the real ROM's in the last bits: TRANSCENDENTAL_ULP
// (float-ulp.mjs) declares by how much, as measured.
import { doubleIn, doubleOut, floatIn, floatOut } from './float-bits.mjs';

const fl = (fn) => (r) => [floatOut(Math.fround(fn(floatIn(r[0]), floatIn(r[1]))))];
const db = (fn) => (r) => doubleOut(fn(doubleIn(r[0], r[1]), doubleIn(r[2], r[3])));

/**
 * The ROM reduces trigonometric arguments only over −128 < x < 128 (float) and −1024 < x < 1024
 * (double), as the datasheet says; beyond, it answers as at the end of that range (measured: sin of
 * any larger float, ∞ and NaN too, is sin 128). Clamping the same way keeps results in [−1, 1] and never NaN.
 */
const clamped = (limit, fn) => (x) => fn(Math.max(-limit, Math.min(limit, x)));

/** ln with the ROM's conventions: ln of a negative number (or −0) is −∞, like ln 0. */
const ln = (x) => (x <= 0 ? -Infinity : Math.log(x));

export const fsin = fl(clamped(128, Math.sin));
export const fcos = fl(clamped(128, Math.cos));
export const ftan = fl(clamped(128, Math.tan));
export const fatan2 = fl(Math.atan2);
export const fexp = fl(Math.exp);
export const fln = fl(ln);
export const dsin = db(clamped(1024, Math.sin));
export const dcos = db(clamped(1024, Math.cos));
export const dtan = db(clamped(1024, Math.tan));
export const datan2 = db(Math.atan2);
export const dexp = db(Math.exp);
export const dln = db(ln);
