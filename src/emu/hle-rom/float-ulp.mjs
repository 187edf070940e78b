// Declared: where this project's sin, cos, tan, atan2, exp and ln differ from a real B1 ROM's.
// The ROM computes them in fixed point and is not correctly rounded; these routines use the host's
// Math (rounded once to the format), so results differ in the last bits, most where the ROM's
// fixed point loses relative precision (sin near a multiple of π, tan near its poles, atan2 of a
// tiny ratio, ln near 1: its absolute error stays small). Measured by
// `npx tsx scripts/measure-rom-float-ulp.ts ROM 20000`: random arguments with 2^-20 ≤ |x| (and
// |x| < 128 / 1024 for float / double trig, the ROM's range), finite non-zero results.
// Outside that domain: the ROM returns 0 (or a tiny garbage value) for sin/tan of |x| < ~2^-24
// where Math gives x, and atan2(−0, x ≥ 0) is −1.86e-9 on the ROM (float) where Math gives −0.
export const TRANSCENDENTAL_ULP = {
  measuredWith: 'RP2040 B1 boot ROM on rp2040js 1.4.1, seed 99',
  routines: {
    fcos: { vectors: 20000, bitIdentical: 0.68, maxUlp: 4963630, maxAbsError: 1.19e-7 },
    fsin: { vectors: 20000, bitIdentical: 0.168, maxUlp: 4439342, maxAbsError: 1.19e-7 },
    ftan: { vectors: 20000, bitIdentical: 0.149, maxUlp: 5897791, maxAbsError: 1.29e7 },
    fexp: { vectors: 20000, bitIdentical: 0.688, maxUlp: 2, maxAbsError: 1.01e31 },
    fln: { vectors: 14406, bitIdentical: 0.922, maxUlp: 357, maxAbsError: 7.63e-6 },
    fatan2: { vectors: 19277, bitIdentical: 0.842, maxUlp: 812920516, maxAbsError: 2.38e-7 },
    dcos: { vectors: 20000, bitIdentical: 0.956, maxUlp: 205, maxAbsError: 1.11e-16 },
    dsin: { vectors: 20000, bitIdentical: 0.524, maxUlp: 8532, maxAbsError: 1.11e-16 },
    dtan: { vectors: 20000, bitIdentical: 0.381, maxUlp: 8532, maxAbsError: 2.06e-11 },
    dexp: { vectors: 20000, bitIdentical: 0.954, maxUlp: 1, maxAbsError: 9.75e288 },
    dln: { vectors: 11738, bitIdentical: 0.986, maxUlp: 685, maxAbsError: 1.14e-13 },
    datan2: { vectors: 15096, bitIdentical: 0.637, maxUlp: 4339736646824995165, maxAbsError: 4.44e-16 },
  },
};
