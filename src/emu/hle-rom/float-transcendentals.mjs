// sin, cos, tan, atan2, exp and ln of the ROM's tables, computed with the host's Math and rounded to
// the format. The ROM computes these in fixed point (CORDIC and friends) and is not correctly
// rounded, so these results may differ from the real ROM's in the last bits: TRANSCENDENTAL_ULP
// (float-ulp.mjs) declares by how much, as measured.
import { doubleIn, doubleOut, floatIn, floatOut } from './float-bits.mjs';

const fl = (fn) => (r) => [floatOut(Math.fround(fn(floatIn(r[0]), floatIn(r[1]))))];
const db = (fn) => (r) => doubleOut(fn(doubleIn(r[0], r[1]), doubleIn(r[2], r[3])));

/** ln with the ROM's conventions: ln of a negative number (or −0) is −∞, like ln 0. */
const ln = (x) => (x <= 0 ? -Infinity : Math.log(x));

export const fsin = fl(Math.sin);
export const fcos = fl(Math.cos);
export const ftan = fl(Math.tan);
export const fatan2 = fl(Math.atan2);
export const fexp = fl(Math.exp);
export const fln = fl(ln);
export const dsin = db(Math.sin);
export const dcos = db(Math.cos);
export const dtan = db(Math.tan);
export const datan2 = db(Math.atan2);
export const dexp = db(Math.exp);
export const dln = db(ln);
