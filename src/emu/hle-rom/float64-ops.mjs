// Soft-double arithmetic of the ROM's table (dadd … dsqrt, dcmp, double2float): doubles in r0:r1
// and r2:r3 (low word first), result in r0:r1 (r0 for dcmp and double2float).
import { doubleIn, doubleOut, floatOut } from './float-bits.mjs';
import { identity, romAdd, romCompare, romDiv, romMul, romSqrt } from './rom-arithmetic.mjs';

const a = (r) => doubleIn(r[0], r[1]);
const b = (r) => doubleIn(r[2], r[3]);

export const dadd = (r) => doubleOut(romAdd(a(r), b(r), identity));
export const dsub = (r) => doubleOut(romAdd(a(r), -b(r), identity));
export const dmul = (r) => doubleOut(romMul(a(r), b(r), identity));
export const ddiv = (r) => doubleOut(romDiv(a(r), b(r), identity));
export const dsqrt = (r) => doubleOut(romSqrt(a(r), identity));
export const dcmp = (r) => [romCompare(a(r), b(r)) >>> 0];
export const double2float = (r) => [floatOut(Math.fround(a(r)))];
