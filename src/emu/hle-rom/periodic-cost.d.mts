// Types of periodic-cost.mjs (the JavaScript is not type-checked).

export interface PeriodicCost {
  /** Sizes below this cost small[n]. */
  start: number;
  small: number[];
  /** From `start` on, cost(start + k·period + i) = residue[i] + k·slope. */
  period: number;
  slope: number;
  residue: number[];
}

export declare function periodicCost(model: PeriodicCost, n: number): number;
