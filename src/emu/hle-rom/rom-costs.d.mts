// Types of rom-costs.mjs (generated data; the JavaScript is not type-checked).
import type { PeriodicCost } from './periodic-cost.mjs';

export declare const ROM_COSTS: {
  bits: { popcount32: number; reverse32: number; clz32: number[]; ctz32: number[] };
  mem: {
    memset: Record<'a0' | 'a1' | 'a2' | 'a3', PeriodicCost>;
    memset4: PeriodicCost;
    memcpy: Record<string, PeriodicCost>;
    memcpy44: PeriodicCost;
  };
  tableLookup: { first: number; perEntry: number; missing: number };
  enableClocks: number;
};
