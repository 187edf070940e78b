// Soft-float arithmetic of the ROM's table (fadd … fsqrt, fcmp, float2double): float32 bit
// patterns in r0/r1, result in r0 (r0:r1 for float2double).
import { doubleOut, floatIn, floatOut } from './float-bits.mjs';
import { romAdd, romCompare, romDiv, romMul, romSqrt } from './rom-arithmetic.mjs';

const f = Math.fround;

export const fadd = (r) => [floatOut(romAdd(floatIn(r[0]), floatIn(r[1]), f))];
export const fsub = (r) => [floatOut(romAdd(floatIn(r[0]), -floatIn(r[1]), f))];
export const fmul = (r) => [floatOut(romMul(floatIn(r[0]), floatIn(r[1]), f))];
export const fdiv = (r) => [floatOut(romDiv(floatIn(r[0]), floatIn(r[1]), f))];
export const fsqrt = (r) => [floatOut(romSqrt(floatIn(r[0]), f))];
export const fcmp = (r) => [romCompare(floatIn(r[0]), floatIn(r[1])) >>> 0];
/** Exact: every float the ROM reads (no NaN, no denormal) is a double. */
export const float2double = (r) => doubleOut(floatIn(r[0]));
