/**
 * The arithmetic of the work clock's fit (fit-work-clock.ts does the runs): a Pico's pause as
 * a + b·instructions + c·tables of the VM's count, the coefficients chosen to make the largest
 * relative error over the configurations least.
 */

export interface FitPoint {
  config: string;
  /** The stock build's median pause, µs. */
  picoUs: number;
  /** Wasm instructions the virtual Pico counted in the same configuration's closing collection. */
  vmCounts: number;
  /** `br_table`s among them: py/gc.c's sweep runs one per block it walks. */
  vmTables: number;
}

export interface Line {
  /** µs every collection costs beyond its counted work. */
  a: number;
  /** µs per counted instruction. */
  b: number;
  /** µs per counted `br_table`, beyond its instruction. */
  c: number;
}

export const predict = (line: Line, p: Pick<FitPoint, 'vmCounts' | 'vmTables'>): number =>
  line.a + line.b * p.vmCounts + line.c * p.vmTables;

export function worstError(line: Line, points: readonly FitPoint[]): number {
  return Math.max(...points.map((p) => Math.abs(predict(line, p) / p.picoUs - 1)));
}

/**
 * The (a, b, c) whose largest relative error over the points is least. That largest error is a
 * maximum of absolute values of functions linear in (a, b, c), so it is convex: a search along each
 * coefficient in turn, each inner search optimal for the outer values, finds the minimum.
 */
export function minimaxFit(points: readonly FitPoint[]): Line & { worst: number } {
  const top = Math.min(...points.map((p) => p.picoUs));
  const maxSlope = Math.max(...points.map((p) => p.picoUs / Math.max(p.vmCounts, 1))) * 2;
  const maxTable = Math.max(...points.map((p) => p.picoUs / Math.max(p.vmTables, 1)));
  const bestB = (a: number, c: number) =>
    ternary(0, maxSlope, (b) => worstError({ a, b, c }, points), ITERATIONS.inner);
  const bestC = (a: number) =>
    ternary(0, maxTable, (c) => worstError({ a, b: bestB(a, c), c }, points), ITERATIONS.middle);
  const a = ternary(
    0,
    top,
    (x) => {
      const c = bestC(x);
      return worstError({ a: x, b: bestB(x, c), c }, points);
    },
    ITERATIONS.outer,
  );
  const c = bestC(a);
  const b = bestB(a, c);
  return { a, b, c, worst: worstError({ a, b, c }, points) };
}

/** Steps of each nested search: each narrows its interval to (2/3)^n of its width. */
const ITERATIONS = { outer: 60, middle: 60, inner: 80 };

function ternary(lo: number, hi: number, f: (x: number) => number, steps: number): number {
  for (let i = 0; i < steps; i++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (f(m1) <= f(m2)) hi = m2;
    else lo = m1;
  }
  return (lo + hi) / 2;
}

/**
 * Blocks by which the stock build may sweep past the virtual Pico before the two are no longer
 * holding the same heap (their boot-time objects differ by a few dozen blocks).
 */
export const SAME_HEAP_BLOCKS = 256;

/**
 * A configuration whose real collection swept well past the blocks the virtual Pico's did: the
 * stock build kept something alive above the script's objects that the script does not hold. On
 * v1.28.0 RPI_PICO that is a false root: the raw REPL's two-byte raw-paste window reply (128) sits
 * in a stack word whose upper half is left from boot (0x2001), and 0x20010080 is the head of heap
 * block 3088, so the first object whose head lands there is never freed. Such a configuration
 * measures a longer sweep than its live set needs, not a different price per unit of work: it is
 * kept out of the fit and judged by the work of the sweep the build really did (see `extendedTo`).
 */
export interface SetAside {
  config: string;
  /** The highest block in use in the stock build's heap map of that configuration. */
  picoSweptTo: number;
  /** The blocks the virtual Pico's closing collection swept. */
  vmSweptTo: number;
}

export function setAside(
  points: readonly FitPoint[],
  picoHighestUsed: ReadonlyMap<string, number>,
): SetAside[] {
  const out: SetAside[] = [];
  for (const p of points) {
    const picoSweptTo = picoHighestUsed.get(p.config);
    if (picoSweptTo !== undefined && picoSweptTo - p.vmTables > SAME_HEAP_BLOCKS)
      out.push({ config: p.config, picoSweptTo, vmSweptTo: p.vmTables });
  }
  return out;
}

/**
 * The virtual Pico's counted work for a configuration as if its sweep had walked as far as the
 * stock build's: each extra block is a free block's walk, whose instructions are measured on the
 * virtual Pico itself (a heap pinned at its top against the same heap packed).
 */
export function extendedTo(
  p: FitPoint,
  sweptTo: number,
  freeBlock: { instructions: number },
): Pick<FitPoint, 'vmCounts' | 'vmTables'> {
  const extra = Math.max(0, sweptTo - p.vmTables);
  return { vmCounts: p.vmCounts + extra * freeBlock.instructions, vmTables: p.vmTables + extra };
}
