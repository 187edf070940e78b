// The ROM's arithmetic on numbers that are already the ROM's view of its operands (no NaN, no
// denormal: see float-bits.mjs). Where IEEE would give a NaN the ROM gives an infinity; measured
// on a B1 ROM (every pair of ±0, ±1, ±Infinity, ±NaN, a denormal, for float and double alike):
//   ∞ + (−∞) = +∞;   0 × ∞ = ∞ with the sign of the product;   x / 0 = ∞ (0 / 0 too) and ∞ / ∞ = ∞,
//   each with the sign of the quotient;   √x of a negative x (−∞ too) = −∞, √−0 = −0.
// Everything else is the host's correctly rounded IEEE result; `round` narrows a double result to
// the format (Math.fround for float32: a double holds more than 2p + 2 bits of a float32, so the
// double-then-float rounding of + − × ÷ √ is the correctly rounded float32, no double rounding).

export function romAdd(x, y, round) {
  if (x === -y && !Number.isFinite(x)) return Infinity;
  return round(x + y);
}

export function romMul(x, y, round) {
  if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) {
    return signOf(x) * signOf(y) * Infinity;
  }
  return round(x * y);
}

export function romDiv(x, y, round) {
  if (y === 0 || (!Number.isFinite(x) && !Number.isFinite(y))) return signOf(x) * signOf(y) * Infinity;
  return round(x / y);
}

export function romSqrt(x, round) {
  if (x < 0) return -Infinity;
  return round(Math.sqrt(x)); // √−0 = −0 in IEEE as in the ROM
}

/** −1, 0 or 1 (ordered with the ROM's view: NaN is an infinity, a denormal is zero, −0 = +0). */
export function romCompare(x, y) {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** +1 or −1, −0 counting as negative. */
export function signOf(x) {
  return x < 0 || Object.is(x, -0) ? -1 : 1;
}

export const identity = (x) => x;
