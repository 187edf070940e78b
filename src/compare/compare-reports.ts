import { InputError } from '../errors.ts';
import type { Metric } from '../experiments/experiment.ts';
import type { Report } from '../report/schema.ts';
import { compareChecks } from './check-changes.ts';
import {
  DEFAULT_COMPARE_RULE,
  type CompareRule,
  type Comparison,
  type MetricComparison,
  type MetricRef,
} from './comparison.ts';
import { holm } from './holm.ts';
import { compareMetric } from './metric.ts';
import { notes, side } from './notes.ts';
import { applyFloor, timingFloorUs } from './timing-floor.ts';

/**
 * Baseline vs current: every metric two reports share, judged by the regression rule of
 * regression.ts, plus what changed around the numbers: checks that started failing, metrics one
 * side lacks, parameters that differ.
 *
 * A metric REGRESSED when all of these hold:
 *  1. judgeChange says so: the bootstrap CI of the median's change lies entirely beyond the
 *     threshold (default 5%) in the metric's bad direction, and Mann–Whitney p < alpha (0.01);
 *  2. the rank test survives Holm's step-down correction over every metric judged statistically
 *     in this comparison. A quick run carries 44 metrics (22 timed); judged one by one at
 *     p < 0.01, 30 of 90 A/A pairs of single host-timed virtual-Pico runs had some metric flagged,
 *     against 9 of 90 with Holm and the timing floor (bench/false-alarm.ts before the work clock,
 *     which makes a virtual Pico's metrics exact). Holm keeps the chance of any false alarm per
 *     comparison at alpha and costs little power against a real change, whose p-values are orders
 *     of magnitude smaller;
 *  3. for a duration, the medians differ by more than the timing floor: what the clock cannot
 *     resolve is not a change. Two ticks of `ticks_us` on a board (2 µs on a Pico); on a device
 *     whose collections are timed on the host (a virtual Pico on `--clock host`)
 *     HOST_TIMED_FLOOR_US, from the spread of the host's timing of tiny pauses in A/A runs.
 * An improvement is the mirror image.
 *
 * Deterministic metrics (every value equal on both sides, e.g. the bytes an object costs) carry no
 * noise to test against: they are compared exactly, and any change beyond the threshold in the bad
 * direction is a regression. One timing a side is not deterministic, it is one draw of a noisy
 * quantity, so a duration measured once is reported as insufficient data instead.
 */
export function compareReports(
  baseline: Report,
  current: Report,
  rule: Partial<CompareRule> = {},
): Comparison {
  const r: CompareRule = { ...DEFAULT_COMPARE_RULE, ...rule };
  if (!(Number.isFinite(r.thresholdPercent) && r.thresholdPercent >= 0)) {
    throw new InputError(`threshold must be a percentage ≥ 0, got ${r.thresholdPercent}`);
  }
  if (r.floorUs !== undefined && !(Number.isFinite(r.floorUs) && r.floorUs >= 0)) {
    throw new InputError(`timing floor must be ≥ 0 µs, got ${r.floorUs}`);
  }
  const floorUs = r.floorUs ?? Math.max(timingFloorUs(baseline.device), timingFloorUs(current.device));
  const before = metricIndex(baseline);
  const after = metricIndex(current);
  const judged: MetricComparison[] = [];
  const onlyInCurrent: MetricRef[] = [];
  for (const [key, entry] of after) {
    const base = before.get(key);
    if (base) judged.push(compareMetric(base.metric, entry.metric, entry.experiment, r));
    else onlyInCurrent.push(ref(entry, absentBecause(baseline, entry.experiment, 'baseline')));
  }
  const onlyInBaseline = [...before]
    .filter(([key]) => !after.has(key))
    .map(([, entry]) => ref(entry, absentBecause(current, entry.experiment, 'current')));

  const metrics = applyFloor(holm(judged, r.alpha), floorUs);
  const regressions = metrics.filter((m) => m.verdict === 'regression');
  return {
    rule: { ...r, floorUs },
    baseline: side(baseline),
    current: side(current),
    metrics,
    onlyInBaseline,
    onlyInCurrent,
    checkChanges: compareChecks(baseline, current),
    notes: notes(baseline, current, metrics),
    regressions,
    improvements: metrics.filter((m) => m.verdict === 'improvement'),
    exitCode: regressions.length > 0 ? 1 : 0,
  };
}

interface IndexedMetric {
  experiment: string;
  metric: Metric;
}

/** Metrics by experiment and id: an id names a metric within its experiment. */
function metricIndex(report: Report): Map<string, IndexedMetric> {
  const index = new Map<string, IndexedMetric>();
  for (const e of report.experiments) {
    for (const metric of e.metrics) index.set(`${e.id}\u0000${metric.id}`, { experiment: e.id, metric });
  }
  return index;
}

function ref(entry: IndexedMetric, why: string | undefined): MetricRef {
  return {
    id: entry.metric.id,
    experiment: entry.experiment,
    title: entry.metric.title,
    ...(why ? { why } : {}),
  };
}

function absentBecause(other: Report, experiment: string, name: string): string | undefined {
  const e = other.experiments.find((x) => x.id === experiment);
  if (!e) return `the ${name} run did not include ${experiment}`;
  if (e.status === 'failed') return `${experiment} failed in the ${name} run: ${e.error ?? 'unknown error'}`;
  return undefined;
}

export {
  DEFAULT_COMPARE_RULE,
  type CheckChange,
  type CompareRule,
  type Comparison,
  type MetricComparison,
  type MetricRef,
  type MetricVerdict,
  type RunSide,
} from './comparison.ts';
export { compareMetric } from './metric.ts';
export { HOST_TIMED_FLOOR_US, timingFloorUs } from './timing-floor.ts';
