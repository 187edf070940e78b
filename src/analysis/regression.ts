import { formatP, signedPercent } from '../format.ts';
import { InputError } from '../errors.ts';
import { bootstrapMedianChange, DEFAULT_BOOTSTRAP, type PercentChangeInterval } from './bootstrap.ts';
import { mannWhitneyU, minimumTwoSidedP, type MannWhitneyResult } from './mann-whitney.ts';
import { summarize, type RobustSummary } from './stats.ts';

/**
 * The regression rule, after asv (`asv/_stats.py`) and pyperf (`pyperf/_compare.py`): a change is a
 * regression only when it is both LARGE and REAL.
 *
 *   regression  ⇔  the bootstrap CI of the median's percent change lies entirely beyond the
 *                  threshold in the bad direction (lower-is-better: low > +thresholdPercent)
 *                AND the two-sided Mann–Whitney p-value < alpha.
 *
 * The interval guards against flagging a small change nobody cares about; the rank test guards
 * against a bootstrap interval that is too narrow for a handful of noisy repetitions (the percentile
 * bootstrap under-covers at n ≈ 5). An improvement is the mirror image. When the sample sizes
 * cannot reach p < alpha at all (2 / C(n1+n2, n1) ≥ alpha, e.g. 4 vs 4 repetitions at 0.01) the
 * verdict is 'insufficient-data', never a silent pass.
 *
 * alpha defaults to 0.01 rather than asv's 0.002: with the threshold also required, 0.01 keeps the
 * measured A/A false-alarm rate near zero (see regression.test.ts) and is reachable from five
 * repetitions a side, where 0.002 needs seven.
 */

export type Direction = 'lower-is-better' | 'higher-is-better';

export interface RegressionRule {
  /** Minimum change that matters, in percent of the baseline median (default 5). */
  thresholdPercent: number;
  /** Confidence level of the interval (default 0.95). */
  confidence: number;
  /** Significance level of the rank test (default 0.01). */
  alpha: number;
  /** Pause times: lower is better (default). Largest allocation that fits: higher is better. */
  direction: Direction;
  resamples: number;
  seed: number;
}

export const DEFAULT_RULE: Readonly<RegressionRule> = {
  thresholdPercent: 5,
  confidence: DEFAULT_BOOTSTRAP.confidence,
  alpha: 0.01,
  direction: 'lower-is-better',
  resamples: DEFAULT_BOOTSTRAP.resamples,
  seed: DEFAULT_BOOTSTRAP.seed,
};

export type VerdictKind = 'regression' | 'improvement' | 'no-change' | 'insufficient-data';

export interface ChangeVerdict {
  kind: VerdictKind;
  /** One sentence a maintainer can read in a CI log. */
  reason: string;
  change: PercentChangeInterval;
  rankTest: MannWhitneyResult;
  significant: boolean;
  /** Smallest p-value these sample sizes can produce; ≥ alpha means the test cannot decide. */
  minimumPossibleP: number;
  baseline: RobustSummary;
  current: RobustSummary;
  rule: RegressionRule;
}

export function judgeChange(
  baseline: readonly number[],
  current: readonly number[],
  rule: Partial<RegressionRule> = {},
): ChangeVerdict {
  const r: RegressionRule = { ...DEFAULT_RULE, ...rule };
  if (!(r.thresholdPercent >= 0 && Number.isFinite(r.thresholdPercent))) {
    throw new InputError(`threshold must be a percentage ≥ 0, got ${r.thresholdPercent}`);
  }
  if (!(r.alpha > 0 && r.alpha < 1)) throw new InputError(`alpha must be in (0, 1), got ${r.alpha}`);

  const change = bootstrapMedianChange(baseline, current, {
    confidence: r.confidence,
    resamples: r.resamples,
    seed: r.seed,
  });
  const rankTest = mannWhitneyU(current, baseline);
  const minimumPossibleP = minimumTwoSidedP(baseline.length, current.length);
  const significant = rankTest.pValue < r.alpha;
  const t = r.thresholdPercent;
  const [worse, better] =
    r.direction === 'lower-is-better'
      ? [change.low > t, change.high < -t]
      : [change.high < -t, change.low > t];

  const ci = `${Math.round(r.confidence * 100)}% CI [${signedPercent(change.low)}, ${signedPercent(change.high)}]`;
  const p = `Mann–Whitney p = ${formatP(rankTest.pValue)}`;
  const head = `median ${signedPercent(change.estimate)} (${ci}; ${p})`;
  const common = {
    change,
    rankTest,
    significant,
    minimumPossibleP,
    baseline: summarize(baseline),
    current: summarize(current),
    rule: r,
  };

  if (worse && significant) {
    return { ...common, kind: 'regression', reason: `${head}: worse by more than ${t}% and significant` };
  }
  if (better && significant) {
    return { ...common, kind: 'improvement', reason: `${head}: better by more than ${t}% and significant` };
  }
  if (minimumPossibleP >= r.alpha) {
    const need = repetitionsNeeded(r.alpha);
    return {
      ...common,
      kind: 'insufficient-data',
      reason:
        `${head}: ${baseline.length} vs ${current.length} repetitions cannot reach p < ${r.alpha} ` +
        `(smallest possible p = ${formatP(minimumPossibleP)}); use at least ${need} a side`,
    };
  }
  const why = !significant
    ? `not significant at p < ${r.alpha}`
    : `the interval does not lie entirely beyond ±${t}%`;
  return { ...common, kind: 'no-change', reason: `${head}: ${why}` };
}

/** Fewest repetitions per side (equal sizes) for which the rank test can reach p < alpha. */
export function repetitionsNeeded(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new InputError(`alpha must be in (0, 1), got ${alpha}`);
  let n = 1;
  while (minimumTwoSidedP(n, n) >= alpha) n++;
  return n;
}
