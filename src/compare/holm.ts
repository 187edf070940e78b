import { formatP } from '../format.ts';
import type { MetricComparison } from './comparison.ts';

/**
 * Holm's step-down over the statistical metrics: sort the p-values, multiply the k-th smallest by
 * (m − k + 1), keep the running maximum. A verdict that rested on p < alpha and does not survive
 * the adjustment becomes "no change", saying so.
 */
export function holm(metrics: MetricComparison[], alpha: number): MetricComparison[] {
  const tested = metrics.filter((m) => m.method === 'statistical' && m.pValue !== null);
  const order = [...tested].sort((a, b) => (a.pValue as number) - (b.pValue as number));
  const adjusted = new Map<MetricComparison, number>();
  let running = 0;
  order.forEach((m, k) => {
    running = Math.max(running, Math.min(1, (order.length - k) * (m.pValue as number)));
    adjusted.set(m, running);
  });
  return metrics.map((m) => {
    const adjustedP = adjusted.get(m);
    if (adjustedP === undefined) return m;
    const out = { ...m, adjustedP };
    if (m.verdict !== 'regression' && m.verdict !== 'improvement') return out;
    if (adjustedP < alpha) {
      return {
        ...out,
        reason: `${m.reason} (Holm-adjusted over ${order.length} metrics: p = ${formatP(adjustedP)})`,
      };
    }
    return {
      ...out,
      verdict: 'no-change' as const,
      reason: `${m.reason}, but not after Holm's correction over ${order.length} metrics (adjusted p = ${formatP(adjustedP)} ≥ ${alpha})`,
    };
  });
}
