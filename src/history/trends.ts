import { DEFAULT_CHANGEPOINT, detectSteps, type StepDetection } from '../analysis/changepoint.ts';
import { medianSorted, sortedCopy } from '../analysis/stats.ts';
import { InputError } from '../errors.ts';
import type { HistoryRecord, HistoryVerdict } from './schema.ts';

/** One run of one board as a point of a metric's trend. */
export interface TrendRun {
  /** 1-based position in the board's history (the "run 5" of a report). */
  run: number;
  runId: string;
  at: string;
  firmware: string;
  verdict: HistoryVerdict;
  reportDir?: string;
  median: number;
  low?: number;
  high?: number;
  n: number;
}

/** A level change found by the step detection, named by the first run at the new level. */
export interface TrendStep {
  run: number;
  runId: string;
  at: string;
  firmware: string;
  before: number;
  after: number;
  change: number;
  changePercent: number;
  direction: 'up' | 'down';
}

export interface MetricTrend {
  device: string;
  /** The board's latest label (port, address, seed). */
  deviceLabel?: string;
  metric: string;
  unit: string;
  /** Runs that have this metric, oldest first. */
  runs: TrendRun[];
  /** Runs of the board in the window (including those without this metric). */
  runsInWindow: number;
  steps: TrendStep[];
  /** The noise scale the detection assumed: in percent for a positive series (fitted on its log). */
  noise: number;
  noiseUnit: string;
}

export interface TrendOptions {
  /** Only this board (its id, or its label). */
  device?: string;
  /** Only metrics whose id is this, or contains it. */
  metric?: string;
  /** The latest N runs of each board (default 200): step detection is cubic in the length. */
  window?: number;
  /** Ignore steps smaller than this percentage of the earlier level (default 5, the regression rule's). */
  minStepPercent?: number;
  /** See detectSteps (default 4). */
  penaltyFactor?: number;
  /** Fewest runs at a level (default 2; see detectSteps). */
  minSegment?: number;
}

export const DEFAULT_TREND = { window: 200, minStepPercent: 5 } as const;

/**
 * Each board's history, metric by metric, with asv-style step detection (analysis/changepoint.ts)
 * over the per-run medians (on their logarithm when positive). A step is reported by the first
 * run at the new level, its firmware, and the size of the change. Records keep file order (the
 * order they were appended), which is the order the runs finished.
 */
export function historyTrends(records: readonly HistoryRecord[], options: TrendOptions = {}): MetricTrend[] {
  const window = options.window ?? DEFAULT_TREND.window;
  if (!(Number.isInteger(window) && window >= 2)) throw new InputError(`--window must be ≥ 2, not ${window}`);
  const byDevice = new Map<string, HistoryRecord[]>();
  for (const record of records) {
    const list = byDevice.get(record.device.id) ?? [];
    list.push(record);
    byDevice.set(record.device.id, list);
  }
  const wanted = options.device;
  const devices = [...byDevice.keys()].filter(
    (id) =>
      wanted === undefined ||
      id === wanted ||
      byDevice.get(id)!.some((r) => r.device.label === wanted) ||
      (wanted.length >= 4 && id.startsWith(wanted)),
  );
  if (wanted !== undefined && devices.length === 0) {
    throw new InputError(
      `no board "${wanted}" in the history; boards: ${[...byDevice.keys()].join(', ') || 'none'}`,
    );
  }

  const trends: MetricTrend[] = [];
  for (const id of devices) {
    const all = byDevice.get(id)!;
    const offset = Math.max(0, all.length - window);
    const recent = all.slice(offset);
    const metricIds = metricsOf(recent, options.metric);
    for (const metric of metricIds) {
      trends.push(trendOf(id, metric, recent, offset, options));
    }
  }
  if (options.metric !== undefined && trends.length === 0) {
    const known = new Set(records.flatMap((r) => Object.keys(r.metrics)));
    throw new InputError(
      `no metric matching "${options.metric}" in the history; metrics: ${[...known].slice(0, 20).join(', ') || 'none'}`,
    );
  }
  return trends;
}

/** Metric ids in first-seen order; an exact match wins over substring matches. */
function metricsOf(records: readonly HistoryRecord[], wanted: string | undefined): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const id of Object.keys(record.metrics)) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  if (wanted === undefined) return ids;
  if (seen.has(wanted)) return [wanted];
  return ids.filter((id) => id.includes(wanted));
}

function trendOf(
  device: string,
  metric: string,
  records: readonly HistoryRecord[],
  offset: number,
  options: TrendOptions,
): MetricTrend {
  const runs: TrendRun[] = [];
  const series: SeriesPoint[] = [];
  records.forEach((record, i) => {
    const m = record.metrics[metric];
    series.push(m ?? null);
    if (!m) return;
    runs.push({
      run: offset + i + 1,
      runId: record.runId,
      at: record.at,
      firmware: record.device.firmware ?? 'unknown',
      verdict: record.verdict,
      ...(record.reportDir ? { reportDir: record.reportDir } : {}),
      median: m.median,
      ...(m.low !== undefined ? { low: m.low } : {}),
      ...(m.high !== undefined ? { high: m.high } : {}),
      n: m.n,
    });
  });
  const unit = records.find((r) => r.metrics[metric])?.metrics[metric]?.unit ?? '';
  const found = findSteps(series, options);
  const steps = found.steps.map((step): TrendStep => {
    const record = records[step.index]!;
    return {
      run: offset + step.index + 1,
      runId: record.runId,
      at: record.at,
      firmware: record.device.firmware ?? 'unknown',
      before: step.before,
      after: step.after,
      change: step.after - step.before,
      changePercent: step.changePercent,
      direction: step.after > step.before ? 'up' : 'down',
    };
  });
  const labelled = [...records].reverse().find((r) => r.device.label !== undefined);
  return {
    device,
    ...(labelled?.device.label ? { deviceLabel: labelled.device.label } : {}),
    metric,
    unit,
    runs,
    runsInWindow: records.length,
    steps,
    noise: found.noise,
    noiseUnit: found.relative ? '%' : unit,
  };
}

/** A run's value of a metric: its median, and the median's 95% interval when the run had one. */
type SeriesPoint = { median: number; low?: number; high?: number } | null;

/** z of a two-sided 95% interval: a median's interval half-width over this is its standard error. */
const Z95 = 1.96;

/**
 * Step detection over the per-run medians. Timings are positive and their noise grows with their
 * level (a run twice as slow scatters twice as far), so a positive series is fitted on its logarithm:
 * a step is then a ratio, the noise scale relative, and a slow, noisy stretch does not hide its own
 * step by inflating the noise estimate. A series with a zero or negative value is fitted as is.
 *
 * Each run's own uncertainty goes in too: the standard error of its median, from the 95% interval
 * the history records (half its width over 1.96). The detection's noise scale is then at least the
 * typical run's, and a run that was itself noisy weighs less. Without it, runs whose repetitions
 * fall into two groups (a virtual Pico's host-timed pauses, at ~12 µs, come in two levels 40%
 * apart) have medians that flip between the groups from run to run, and the scale measured between
 * consecutive runs, mostly small differences, called such a flip a step: in 3200 ten-run series
 * resampled from real virtual-Pico runs without a change, 39 false steps without the intervals and 1
 * with them; a 20% slowdown of the 1000-object pause was still found in 710 of 800 (716 without).
 */
function findSteps(
  series: readonly SeriesPoint[],
  options: TrendOptions,
): {
  steps: { index: number; before: number; after: number; changePercent: number }[];
  noise: number;
  relative: boolean;
} {
  const relative = series.some((p) => p !== null) && series.every((p) => p === null || p.median > 0);
  const scale = relative ? Math.log : (v: number) => v;
  const y = series.map((p) => (p === null ? null : scale(p.median)));
  const spreads = series.map((p) =>
    p === null || p.low === undefined || p.high === undefined || (relative && p.low <= 0)
      ? null
      : (scale(p.high) - scale(p.low)) / (2 * Z95),
  );
  const detection: StepDetection = detectSteps(y, {
    ...(spreads.some((s) => s !== null) ? { spreads } : {}),
    ...(relative ? { minNoiseFraction: relativeNoiseFloor(y) } : {}),
    ...(options.penaltyFactor !== undefined ? { penaltyFactor: options.penaltyFactor } : {}),
    ...(options.minSegment !== undefined ? { minSegment: options.minSegment } : {}),
  });
  const minPercent = options.minStepPercent ?? DEFAULT_TREND.minStepPercent;
  const steps = detection.steps
    .map((step) => {
      const before = relative ? Math.exp(step.before) : step.before;
      const after = relative ? Math.exp(step.after) : step.after;
      const changePercent =
        before === 0
          ? Math.sign(after - before) * Number.POSITIVE_INFINITY
          : (100 * (after - before)) / Math.abs(before);
      return { index: step.index, before, after, changePercent };
    })
    .filter((step) => Math.abs(step.changePercent) >= minPercent);
  return { steps, noise: relative ? 100 * detection.noise : detection.noise, relative };
}

/**
 * detectSteps floors the noise at a fraction of the series' median level; on a logarithm that level
 * is arbitrary (it depends on the unit), so the fraction is chosen to make the floor 0.005 in log
 * units, i.e. 0.5% of the metric's own level.
 */
function relativeNoiseFloor(logs: readonly (number | null)[]): number {
  const known = logs.filter((v): v is number => v !== null);
  const level = Math.abs(medianSorted(sortedCopy(known)));
  return level > 0 ? DEFAULT_CHANGEPOINT.minNoiseFraction / level : DEFAULT_CHANGEPOINT.minNoiseFraction;
}
