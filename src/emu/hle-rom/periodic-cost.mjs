// The cost of a size-dependent ROM routine (memset, memcpy…) as measured data: a table for sizes
// below `start`, then a repeating pattern of `period` sizes whose costs grow by `slope` each period
// (a loop that stores a block per turn, with head and tail work that depends on n mod period).
// Exact, not a straight-line fit: scripts/measure-rom-costs.ts keeps a description only if it
// reproduces every measured size.

/**
 * @param {{ start: number, small: number[], period: number, slope: number, residue: number[] }} model
 * @param {number} n bytes
 * @returns {number} cycles
 */
export function periodicCost(model, n) {
  if (n < model.start) return model.small[n];
  const past = n - model.start;
  return model.residue[past % model.period] + model.slope * Math.floor(past / model.period);
}
