// The RP2040 boot ROM's view of IEEE floats (measured against a B1 ROM, see float-routines.mjs):
// it has no NaN and no denormal. On input a NaN is the infinity of its sign and a denormal is the
// zero of its sign; a result below the smallest normal is the zero of its sign. The helpers here
// move between the register bit patterns and JavaScript numbers with those rules applied, so the
// arithmetic in between can be the host's IEEE arithmetic (correctly rounded, round to nearest even).

const scratch = new DataView(new ArrayBuffer(8));

/** Smallest normal float32 and float64. */
export const FLOAT_MIN_NORMAL = 2 ** -126;
export const DOUBLE_MIN_NORMAL = 2 ** -1022;

/** A float32 bit pattern as the ROM reads it: NaN → ±Infinity, denormal → ±0. */
export function floatIn(bits) {
  const exponent = (bits >>> 23) & 0xff;
  const negative = (bits & 0x80000000) !== 0;
  if (exponent === 0) return negative ? -0 : 0;
  if (exponent === 0xff) return negative ? -Infinity : Infinity;
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/** A number already rounded to float32 as the ROM returns it: below the smallest normal → ±0. */
export function floatOut(value) {
  if (Math.abs(value) < FLOAT_MIN_NORMAL) return value < 0 || Object.is(value, -0) ? 0x80000000 : 0;
  scratch.setFloat32(0, value);
  return scratch.getUint32(0);
}

/** A float64 in r0 (low word) and r1 (high word) as the ROM reads it. */
export function doubleIn(lo, hi) {
  const exponent = (hi >>> 20) & 0x7ff;
  const negative = (hi & 0x80000000) !== 0;
  if (exponent === 0) return negative ? -0 : 0;
  if (exponent === 0x7ff) return negative ? -Infinity : Infinity;
  scratch.setUint32(0, hi >>> 0);
  scratch.setUint32(4, lo >>> 0);
  return scratch.getFloat64(0);
}

/** A float64 result as [low word, high word], below the smallest normal → ±0. */
export function doubleOut(value) {
  if (Math.abs(value) < DOUBLE_MIN_NORMAL) return [0, value < 0 || Object.is(value, -0) ? 0x80000000 : 0];
  scratch.setFloat64(0, value);
  return [scratch.getUint32(4), scratch.getUint32(0)];
}

/** A 64-bit integer from two registers (low word first), signed or not. */
export function int64In(lo, hi, signed) {
  const value = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return signed ? BigInt.asIntN(64, value) : value;
}

/** A 64-bit integer as [low word, high word]. */
export function int64Out(value) {
  const bits = BigInt.asUintN(64, value);
  return [Number(bits & 0xffffffffn), Number(bits >> 32n)];
}

/**
 * A big integer as a double rounded to odd in its last place: exact when it fits in 53 bits,
 * otherwise its top 53 bits with the lowest one set if anything below was lost. Rounding that
 * double to float32 then gives the correctly rounded float32 of the integer (no double rounding).
 */
export function bigToDoubleOdd(value) {
  const negative = value < 0n;
  let magnitude = negative ? -value : value;
  const length = magnitude.toString(2).length;
  let scale = 1;
  if (length > 53) {
    const shift = BigInt(length - 53);
    const kept = magnitude >> shift;
    magnitude = kept << shift === magnitude ? kept : kept | 1n;
    scale = 2 ** (length - 53);
  }
  const result = Number(magnitude) * scale;
  return negative ? -result : result;
}

/** value × 2^n without an intermediate overflow or underflow of 2^n itself. */
export function scaleByPowerOfTwo(value, n) {
  let result = value;
  let left = n;
  while (left > 1000) {
    result *= 2 ** 1000;
    left -= 1000;
  }
  while (left < -1000) {
    result *= 2 ** -1000;
    left += 1000;
  }
  return result * 2 ** left;
}

/** An exact decomposition of a finite double: mantissa (a BigInt, signed) × 2^exponent. */
export function decompose(value) {
  if (value === 0) return { mantissa: 0n, exponent: 0 };
  scratch.setFloat64(0, value);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return { mantissa: hi & 0x80000000 ? -mantissa : mantissa, exponent };
}
