import { judgeChange } from '../analysis/regression.ts';
import { median, summarize } from '../analysis/stats.ts';
import { InputError } from '../errors.ts';
import type { Metric } from '../experiments/experiment.ts';
import { formatNumber, signedPercent } from '../format.ts';
import { DEFAULT_COMPARE_RULE, type CompareRule, type MetricComparison } from './comparison.ts';
import { MICROSECONDS_PER } from './timing-floor.ts';

/**
 * One metric, baseline vs current, by judgeChange alone (no multiple-comparison correction, no
 * timing floor: compareReports adds those across a report). Exported for callers holding bare metrics.
 */
export function compareMetric(
  baseline: Metric,
  current: Metric,
  experiment: string,
  rule: CompareRule = DEFAULT_COMPARE_RULE,
): MetricComparison {
  const head = {
    id: current.id,
    experiment,
    title: current.title,
    unit: current.unit,
    better: current.better,
  };
  const sides = {
    baseline: { n: baseline.values.length, median: safeMedian(baseline.values) },
    current: { n: current.values.length, median: safeMedian(current.values) },
  };
  const blank = { interval: null, pValue: null, adjustedP: null, floorUs: null, unstable: false };
  const none = (reason: string): MetricComparison => ({
    ...head,
    ...sides,
    ...blank,
    method: 'none',
    verdict: 'not-comparable',
    changePercent: null,
    reason,
  });
  if (baseline.values.length === 0 || current.values.length === 0) {
    return none(`no values on the ${baseline.values.length === 0 ? 'baseline' : 'current'} side`);
  }
  if (baseline.unit !== current.unit) return none(`units differ: ${baseline.unit} vs ${current.unit}`);
  if (baseline.better !== current.better) {
    return none(`direction differs: ${baseline.better} vs ${current.better} is better`);
  }
  if (constant(baseline.values) && constant(current.values)) {
    const single = baseline.values.length === 1 && current.values.length === 1;
    if (!(single && current.unit in MICROSECONDS_PER)) return exact(head, sides, rule);
  }
  try {
    const v = judgeChange(baseline.values, current.values, {
      ...rule,
      direction: current.better === 'lower' ? 'lower-is-better' : 'higher-is-better',
    });
    return {
      ...head,
      ...sides,
      ...blank,
      method: 'statistical',
      verdict: v.kind,
      changePercent: v.change.estimate,
      interval: { low: v.change.low, high: v.change.high, confidence: v.change.confidence },
      pValue: v.rankTest.pValue,
      unstable: summarize(baseline.values).unstable || summarize(current.values).unstable,
      reason: v.reason,
    };
  } catch (error) {
    if (error instanceof InputError) return none(error.message);
    throw error;
  }
}

/** Both sides constant: the change is known exactly, so only the threshold and the direction decide. */
function exact(
  head: Pick<MetricComparison, 'id' | 'experiment' | 'title' | 'unit' | 'better'>,
  sides: Pick<MetricComparison, 'baseline' | 'current'>,
  rule: CompareRule,
): MetricComparison {
  const b = sides.baseline.median;
  const c = sides.current.median;
  const t = rule.thresholdPercent;
  const values = `${formatNumber(b)} → ${formatNumber(c)} ${head.unit}`;
  const base = {
    ...head,
    ...sides,
    method: 'exact' as const,
    interval: null,
    pValue: null,
    adjustedP: null,
    floorUs: null,
    unstable: false,
  };
  if (b === c) {
    return {
      ...base,
      verdict: 'no-change',
      changePercent: 0,
      reason: `identical: ${formatNumber(c)} ${head.unit} on both sides (exact)`,
    };
  }
  const changePercent = b === 0 ? Math.sign(c) * Number.POSITIVE_INFINITY : (100 * (c - b)) / Math.abs(b);
  const worse = head.better === 'lower' ? c > b : c < b;
  if (Math.abs(changePercent) <= t) {
    return {
      ...base,
      verdict: 'no-change',
      changePercent,
      reason: `${values} (${signedPercent(changePercent)}, exact): within the ±${t}% threshold`,
    };
  }
  return {
    ...base,
    verdict: worse ? 'regression' : 'improvement',
    changePercent,
    reason:
      `${values} (${signedPercent(changePercent)}): both sides are exact (no spread), so any change beyond ` +
      `${t}% is real; ${worse ? 'worse' : 'better'} (${head.better} is better)`,
  };
}

function constant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

function safeMedian(values: readonly number[]): number {
  return values.length === 0 || values.some((v) => !Number.isFinite(v)) ? Number.NaN : median(values);
}
