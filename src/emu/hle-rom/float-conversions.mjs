// The ROM's conversions between floats and (fixed-point) integers. Float → integer rounds toward
// −∞ (floor: −1.5 → −2) and saturates at the integer type's range, an infinity (and so a NaN) to the
// end of its sign; `fix` variants scale by 2^n first (n, a signed 32-bit register, is where the binary
// point sits in the result). Integer → float rounds to nearest even, `fix` variants scaling by 2^−n.
// The arithmetic is exact (BigInt where a double would not hold the value).
import {
  bigToDoubleOdd,
  decompose,
  doubleIn,
  doubleOut,
  floatIn,
  floatOut,
  int64In,
  int64Out,
  scaleByPowerOfTwo,
} from './float-bits.mjs';

const RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** floor(x × 2^n) as a BigInt, saturated to `range`. */
export function floorScaled(x, n, range) {
  const [low, high] = RANGES[range];
  if (x === Infinity) return high;
  if (x === -Infinity) return low;
  const { mantissa, exponent } = decompose(x);
  const shift = exponent + n;
  let value;
  if (mantissa === 0n) value = 0n;
  else if (shift >= 0) value = shift > 128 ? (mantissa < 0n ? low : high) : mantissa << BigInt(shift);
  else value = -shift > 128 ? (mantissa < 0n ? -1n : 0n) : mantissa >> BigInt(-shift); // >> floors
  return value < low ? low : value > high ? high : value;
}

/** Signed 32-bit argument n from a register. */
const n32 = (register) => register | 0;

const toInt32 = (x, n, range) => [Number(BigInt.asUintN(32, floorScaled(x, n, range)))];
const toInt64 = (x, n, range) => int64Out(floorScaled(x, n, range));

/** m × 2^−n rounded once to float32 (round to odd into a double first, then to float32). */
const fixToFloat = (m, n) => [floatOut(Math.fround(scaleByPowerOfTwo(bigToDoubleOdd(m), -n)))];
/** m × 2^−n rounded to a double (m below 2^64: scaling by a power of two is exact in the normal range). */
const fixToDouble = (m, n) => doubleOut(scaleByPowerOfTwo(Number(m), -n));

// float32 in r0, n in r1; 64-bit integers in r0:r1 with n in r2.
export const float2int = (r) => toInt32(floatIn(r[0]), 0, 'int32');
export const float2fix = (r) => toInt32(floatIn(r[0]), n32(r[1]), 'int32');
export const float2uint = (r) => toInt32(floatIn(r[0]), 0, 'uint32');
export const float2ufix = (r) => toInt32(floatIn(r[0]), n32(r[1]), 'uint32');
export const float2int64 = (r) => toInt64(floatIn(r[0]), 0, 'int64');
export const float2fix64 = (r) => toInt64(floatIn(r[0]), n32(r[1]), 'int64');
export const float2uint64 = (r) => toInt64(floatIn(r[0]), 0, 'uint64');
export const float2ufix64 = (r) => toInt64(floatIn(r[0]), n32(r[1]), 'uint64');
export const int2float = (r) => fixToFloat(BigInt(r[0] | 0), 0);
export const fix2float = (r) => fixToFloat(BigInt(r[0] | 0), n32(r[1]));
export const uint2float = (r) => fixToFloat(BigInt(r[0] >>> 0), 0);
export const ufix2float = (r) => fixToFloat(BigInt(r[0] >>> 0), n32(r[1]));
export const int642float = (r) => fixToFloat(int64In(r[0], r[1], true), 0);
export const fix642float = (r) => fixToFloat(int64In(r[0], r[1], true), n32(r[2]));
export const uint642float = (r) => fixToFloat(int64In(r[0], r[1], false), 0);
export const ufix642float = (r) => fixToFloat(int64In(r[0], r[1], false), n32(r[2]));

// double in r0:r1, n in r2; 32-bit integers in r0 with n in r1.
const d = (r) => doubleIn(r[0], r[1]);
export const double2int = (r) => toInt32(d(r), 0, 'int32');
export const double2fix = (r) => toInt32(d(r), n32(r[2]), 'int32');
export const double2uint = (r) => toInt32(d(r), 0, 'uint32');
export const double2ufix = (r) => toInt32(d(r), n32(r[2]), 'uint32');
export const double2int64 = (r) => toInt64(d(r), 0, 'int64');
export const double2fix64 = (r) => toInt64(d(r), n32(r[2]), 'int64');
export const double2uint64 = (r) => toInt64(d(r), 0, 'uint64');
export const double2ufix64 = (r) => toInt64(d(r), n32(r[2]), 'uint64');
export const int2double = (r) => fixToDouble(BigInt(r[0] | 0), 0);
export const fix2double = (r) => fixToDouble(BigInt(r[0] | 0), n32(r[1]));
export const uint2double = (r) => fixToDouble(BigInt(r[0] >>> 0), 0);
export const ufix2double = (r) => fixToDouble(BigInt(r[0] >>> 0), n32(r[1]));
export const int642double = (r) => fixToDouble(int64In(r[0], r[1], true), 0);
export const fix642double = (r) => fixToDouble(int64In(r[0], r[1], true), n32(r[2]));
export const uint642double = (r) => fixToDouble(int64In(r[0], r[1], false), 0);
export const ufix642double = (r) => fixToDouble(int64In(r[0], r[1], false), n32(r[2]));
