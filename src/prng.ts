/**
 * The one seeded pseudo-random generator: every bootstrap interval, every simulated noise series in
 * the tests and every injected fault (`--fault drop:…` with `--seed N`) is reproducible: the same
 * inputs and seed give the same report and the same damaged bytes.
 *
 * xoshiro128** (Blackman & Vigna, 2018): 128 bits of state, period 2^128 − 1, good statistical
 * quality at 32-bit integer speed in JavaScript. The state is filled by splitmix32 so that nearby
 * seeds (1, 2, 3...) give unrelated streams.
 */
export interface Random {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A draw from the standard normal distribution (Box–Muller), for synthetic test data. */
  normal(): number;
}

export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is the one fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;

  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // 1 − u keeps the logarithm's argument in (0, 1].
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
