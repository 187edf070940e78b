import type { Check, Metric } from '../experiments/experiment.ts';
import { DEFAULT_RULE, type RegressionRule, type VerdictKind } from '../analysis/regression.ts';
import type { Report } from '../report/schema.ts';

/** What a comparison of two runs says: per metric, per check, and the notes around them. */
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
