/**
 * How picogc writes numbers for people, in one place: tables, check lines, arithmetic. Every view
 * (terminal, Markdown, HTML, JUnit) uses these, so one figure reads the same everywhere.
 */

/** At most 4 significant digits, whole numbers as they are, no exponent for everyday sizes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return Number(x.toPrecision(4)).toString();
}

/** A change in percent with its sign and one decimal (`+12.3%`); tiny changes read as 0. */
export function signedPercent(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞%' : '−∞%';
  const v = Math.abs(x) < 0.05 ? 0 : x;
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
}

/** A change in whole percent with its sign (`+12%`), for check lines. */
export function roundPercent(pct: number): string {
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(0)}%`;
}

/** A p-value: two significant digits, an exponent below 0.0001. */
export function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
}

/** A pause: one decimal below 10 µs, whole microseconds above. */
export function formatUs(us: number): string {
  return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
}
