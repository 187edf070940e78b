// What a ROM float routine's cycle count depends on, as measured on a B1 ROM (see float-cycles.mjs):
// integer → float conversions normalise bit by bit (about 5 cycles a bit), so their cost follows the
// bit length of the integer and its sign; every routine takes a short path when an operand is a zero,
// an infinity, a NaN or a denormal. Each call falls into one class, named by `cycleClass`.

const bitLength = (value) => (value === 0n ? 0 : value.toString(2).length);

/** The magnitude and sign of the integer operand of an integer → float conversion, or null. */
function integerOperand(name, r) {
  const m = /^(u?)(int|fix)(64)?2(float|double)$/.exec(name);
  if (!m) return null;
  const unsigned = m[1] === 'u';
  let value = m[3] ? (BigInt(r[1] >>> 0) << 32n) | BigInt(r[0] >>> 0) : BigInt(r[0] >>> 0);
  if (!unsigned) value = BigInt.asIntN(m[3] ? 64 : 32, value);
  return value < 0n ? `n${bitLength(-value)}` : `p${bitLength(value)}`;
}

/** Whether a float32 or float64 operand (given by its high word) is zero, denormal, infinite or NaN. */
const floatSpecial = (bits) => {
  const e = (bits >>> 23) & 0xff;
  return e === 0 || e === 0xff;
};
const doubleSpecial = (high) => {
  const e = (high >>> 20) & 0x7ff;
  return e === 0 || e === 0x7ff;
};

/**
 * The class of one call: 'p12' / 'n7' (integer operand's sign and bit length), 'special', 'negative'
 * (√, ln and the unsigned conversions of a negative number return at once) or 'normal'.
 */
export function cycleClass(name, r) {
  const integer = integerOperand(name, r);
  if (integer !== null) return integer;
  const binary = /^[fd](add|sub|mul|div|cmp|atan2)$/.test(name);
  const isDouble = name.startsWith('d') || name.startsWith('double');
  const high = isDouble ? r[1] : r[0];
  const special = isDouble
    ? doubleSpecial(r[1]) || (binary && doubleSpecial(r[3]))
    : floatSpecial(r[0]) || (binary && floatSpecial(r[1]));
  if (special) return 'special';
  if (/sqrt|ln$|2u(int|fix)/.test(name) && high & 0x80000000) return 'negative';
  return 'normal';
}
