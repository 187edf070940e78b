import { DEVICE_KIND_NAMES } from '../device/device-info.ts';
import { InputError } from '../errors.ts';
import type { Check, Metric } from '../experiments/experiment.ts';
import { checkRows } from '../report/checks.ts';
import type { Report } from '../report/schema.ts';
import { DEFAULT_RULE, judgeChange, type RegressionRule, type VerdictKind } from './regression.ts';
import { median, summarize } from './stats.ts';

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

export interface CompareRule extends Pick<
  RegressionRule,
  'thresholdPercent' | 'alpha' | 'confidence' | 'resamples' | 'seed'
> {
  /** Smallest change of a duration that counts, µs; undefined = from the devices (see timingFloorUs). */
  floorUs?: number;
}

export const DEFAULT_COMPARE_RULE: Readonly<CompareRule> = {
  thresholdPercent: DEFAULT_RULE.thresholdPercent,
  alpha: DEFAULT_RULE.alpha,
  confidence: DEFAULT_RULE.confidence,
  resamples: DEFAULT_RULE.resamples,
  seed: DEFAULT_RULE.seed,
};

/**
 * Timing floor of a host-timed device, µs. The virtual Pico's pause on `--clock host` is a host clock
 * reading minus a boot-time calibration; in A/A runs on a loaded two-core host, pauses of 4–20 µs
 * moved by 1.5–9 µs and were flagged by the rank test (bench/false-alarm.ts, before the work clock).
 * 10 µs sits above that.
 */
export const HOST_TIMED_FLOOR_US = 10;

/** The smallest change in a duration that one device's clock can show. */
export function timingFloorUs(device: Report['device']): number {
  const caps = device.capabilities;
  return caps.collectTiming === 'host-timed' ? HOST_TIMED_FLOOR_US : 2 * caps.ticksUsResolutionUs;
}

export type MetricVerdict = VerdictKind | 'not-comparable';

export interface MetricComparison {
  /** The metric's id (unique within a report). */
  id: string;
  experiment: string;
  /** The current run's title (it may name a changed parameter). */
  title: string;
  unit: string;
  better: Metric['better'];
  /** `exact`: zero spread on both sides; `statistical`: the regression rule; `none`: not comparable. */
  method: 'exact' | 'statistical' | 'none';
  verdict: MetricVerdict;
  baseline: { n: number; median: number };
  current: { n: number; median: number };
  /** 100 · (current median / baseline median − 1); ±Infinity from a zero baseline; null if undefined. */
  changePercent: number | null;
  /** The confidence interval of changePercent (statistical method only). */
  interval: { low: number; high: number; confidence: number } | null;
  /** Two-sided Mann–Whitney p-value (statistical method only). */
  pValue: number | null;
  /** pValue after Holm's correction over the comparison's statistical metrics. */
  adjustedP: number | null;
  /** The timing floor applied, µs (durations only). */
  floorUs: number | null;
  /** pyperf's stability warning on either side: the spread is large, the verdict less certain. */
  unstable: boolean;
  /** One sentence saying why the verdict is what it is. */
  reason: string;
}

export interface MetricRef {
  id: string;
  experiment: string;
  title: string;
  /** Why it is absent from the other side, when that is known (the experiment failed or was not run). */
  why?: string;
}

export type CheckStatus = Check['status'];

export interface CheckChange {
  id: string;
  experiment: string;
  title: string;
  baseline: CheckStatus | 'absent';
  current: CheckStatus | 'absent';
  /** It did not fail in the baseline (or was not there) and fails now. */
  newlyFailing: boolean;
  /** The current detail (observed / reason), for the listing. */
  detail?: string;
}

export interface RunSide {
  runId: string;
  device: string;
  kind: Report['device']['capabilities']['kind'];
  firmware: string;
  firmwareLabel?: string;
  profile: Report['options']['profile'];
}

export interface Comparison {
  rule: CompareRule;
  baseline: RunSide;
  current: RunSide;
  /** Metrics present in both, in the current report's order. */
  metrics: MetricComparison[];
  onlyInBaseline: MetricRef[];
  onlyInCurrent: MetricRef[];
  /** Checks whose status differs (or that exist on one side only). */
  checkChanges: CheckChange[];
  /** Things a reader must know to trust the numbers: different device kinds, parameters, profiles. */
  notes: string[];
  regressions: MetricComparison[];
  improvements: MetricComparison[];
  /** 1 when any metric regressed, else 0. Check status changes are listed, not counted (a run fails its own checks). */
  exitCode: 0 | 1;
}

/** Durations, in µs per unit: the timing floor applies to them, and one value a side is never exact. */
const MICROSECONDS_PER: Readonly<Record<string, number>> = { ns: 0.001, µs: 1, us: 1, ms: 1000, s: 1e6 };

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

/**
 * Holm's step-down over the statistical metrics: sort the p-values, multiply the k-th smallest by
 * (m − k + 1), keep the running maximum. A verdict that rested on p < alpha and does not survive
 * the adjustment becomes "no change", saying so.
 */
function holm(metrics: MetricComparison[], alpha: number): MetricComparison[] {
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
        reason: `${m.reason} (Holm-adjusted over ${order.length} metrics: p = ${fmtP(adjustedP)})`,
      };
    }
    return {
      ...out,
      verdict: 'no-change' as const,
      reason: `${m.reason}, but not after Holm's correction over ${order.length} metrics (adjusted p = ${fmtP(adjustedP)} ≥ ${alpha})`,
    };
  });
}

/** A duration whose medians moved by less than the clock can resolve has not changed. */
function applyFloor(metrics: MetricComparison[], floorUs: number): MetricComparison[] {
  return metrics.map((m) => {
    const scale = MICROSECONDS_PER[m.unit];
    if (scale === undefined || m.method !== 'statistical') return m;
    const out = { ...m, floorUs };
    const movedUs = Math.abs(m.current.median - m.baseline.median) * scale;
    if ((m.verdict === 'regression' || m.verdict === 'improvement') && movedUs <= floorUs) {
      return {
        ...out,
        verdict: 'no-change' as const,
        reason: `${m.reason}, but the medians differ by ${fmt(movedUs)} µs, within the ${fmt(floorUs)} µs timing floor`,
      };
    }
    return out;
  });
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
  const values = `${fmt(b)} → ${fmt(c)} ${head.unit}`;
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
      reason: `identical: ${fmt(c)} ${head.unit} on both sides (exact)`,
    };
  }
  const changePercent = b === 0 ? Math.sign(c) * Number.POSITIVE_INFINITY : (100 * (c - b)) / Math.abs(b);
  const worse = head.better === 'lower' ? c > b : c < b;
  if (Math.abs(changePercent) <= t) {
    return {
      ...base,
      verdict: 'no-change',
      changePercent,
      reason: `${values} (${signedPct(changePercent)}, exact): within the ±${t}% threshold`,
    };
  }
  return {
    ...base,
    verdict: worse ? 'regression' : 'improvement',
    changePercent,
    reason:
      `${values} (${signedPct(changePercent)}): both sides are exact (no spread), so any change beyond ` +
      `${t}% is real; ${worse ? 'worse' : 'better'} (${head.better} is better)`,
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

function compareChecks(baseline: Report, current: Report): CheckChange[] {
  const key = (r: { experiment: string; id: string }) => `${r.experiment}\u0000${r.id}`;
  const before = new Map(checkRows(baseline).map((r) => [key(r), r]));
  const after = new Map(checkRows(current).map((r) => [key(r), r]));
  const changes: CheckChange[] = [];
  for (const [k, now] of after) {
    const was = before.get(k);
    if (was?.status === now.status) continue;
    const detail = now.status === 'skipped' ? now.reason : (now.observed ?? now.reason);
    changes.push({
      id: now.id,
      experiment: now.experiment,
      title: now.title,
      baseline: was?.status ?? 'absent',
      current: now.status,
      newlyFailing: now.status === 'fail',
      ...(detail ? { detail } : {}),
    });
  }
  for (const [k, was] of before) {
    if (after.has(k)) continue;
    changes.push({
      id: was.id,
      experiment: was.experiment,
      title: was.title,
      baseline: was.status,
      current: 'absent',
      newlyFailing: false,
    });
  }
  return changes;
}

function side(report: Report): RunSide {
  const d = report.device;
  return {
    runId: report.runId,
    device: d.description,
    kind: d.capabilities.kind,
    firmware: `MicroPython ${d.firmware.version} on ${d.firmware.machine}`,
    ...(report.options.firmwareLabel ? { firmwareLabel: report.options.firmwareLabel } : {}),
    profile: report.options.profile,
  };
}

function notes(baseline: Report, current: Report, metrics: MetricComparison[]): string[] {
  const out: string[] = [];
  const kb = baseline.device.capabilities.kind;
  const kc = current.device.capabilities.kind;
  if (kb !== kc) {
    out.push(
      `the baseline ran on a ${DEVICE_KIND_NAMES[kb]} and the current run on a ${DEVICE_KIND_NAMES[kc]}: timings are not comparable in kind`,
    );
  }
  const tb = baseline.device.capabilities.collectTiming;
  const tc = current.device.capabilities.collectTiming;
  if (kb === kc && tb !== tc) {
    out.push(
      `pauses were timed by ${tb} in the baseline and by ${tc} in the current run: not comparable in kind`,
    );
  }
  if ([tb, tc].includes('work-clock')) {
    out.push(
      "pauses are the virtual Pico's work clock: counted VM work as an estimate of Pico time, the same on " +
        'any host, so a change is a change in the work done; its scale in µs is a fit to real firmware, not a board',
    );
  }
  if ([baseline, current].some((r) => r.device.capabilities.collectTiming === 'host-timed')) {
    out.push(
      'pauses were timed on the host (virtual Pico): a busy host slows a whole run, so a shift ' +
        'common to every timing of an experiment may be the host, not the code; compare runs made ' +
        'on a quiet host, or on a board',
    );
  }
  if (baseline.device.heapTotal !== current.device.heapTotal) {
    out.push(`heap sizes differ: ${baseline.device.heapTotal} B vs ${current.device.heapTotal} B`);
  }
  if (baseline.options.profile !== current.options.profile) {
    out.push(`profiles differ: ${baseline.options.profile} vs ${current.options.profile}`);
  }
  for (const e of current.experiments) {
    const b = baseline.experiments.find((x) => x.id === e.id);
    if (!b) continue;
    for (const name of new Set([...Object.keys(b.params), ...Object.keys(e.params)])) {
      const was = JSON.stringify(b.params[name]);
      const now = JSON.stringify(e.params[name]);
      if (was !== now) out.push(`parameter ${e.id}.${name} differs: ${was ?? 'unset'} → ${now ?? 'unset'}`);
    }
  }
  for (const [name, r] of [
    ['baseline', baseline],
    ['current', current],
  ] as const) {
    for (const e of r.experiments.filter((x) => x.status === 'failed')) {
      out.push(`${e.id} failed in the ${name} run (${e.error ?? 'unknown error'}): its metrics are missing`);
    }
  }
  const unstable = metrics.filter((m) => m.unstable).length;
  if (unstable > 0) {
    out.push(
      `${unstable} of ${metrics.length} metrics have a large spread on one side (pyperf's warning: SD ≥ 10% of the mean, or an extreme ≥ 50% away); their verdicts rest on the rank test`,
    );
  }
  return out;
}

function constant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

function safeMedian(values: readonly number[]): number {
  return values.length === 0 || values.some((v) => !Number.isFinite(v)) ? Number.NaN : median(values);
}

/** A number with at most 4 significant digits and no exponent for everyday sizes. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(4)).toString();
}

export function signedPct(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞%' : '−∞%';
  const v = Math.abs(x) < 0.05 ? 0 : x;
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
}

export function fmtP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
}
