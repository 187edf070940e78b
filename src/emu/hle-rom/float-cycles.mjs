// The cycles a call to each ROM float routine is charged: measured on a real B1 ROM in rp2040js per
// class of call (float-cycles.json, with its provenance), looked up by the call's class; a class
// the measurement never saw falls back to the routine's median.
import { readFileSync } from 'node:fs';
import { cycleClass } from './float-cycle-features.mjs';

const { provenance, costs: COSTS } = JSON.parse(
  readFileSync(new URL('./float-cycles.json', import.meta.url), 'utf8'),
);

export const CYCLES_PROVENANCE = provenance;

/** name → { cycles(r) } for every routine measured. */
export const ROUTINE_CYCLES = Object.fromEntries(
  Object.entries(COSTS).map(([name, classes]) => [
    name,
    { cycles: (r) => classes[cycleClass(name, r)] ?? classes.default },
  ]),
);
