import type { DeviceInfo } from '../device/device-info.ts';
import { modelFor } from '../experiments/device-model.ts';
import type { Check } from '../experiments/experiment.ts';
import { pauseWorkOf, type HeapPauseWork } from '../experiments/pause-work.ts';
import { summarizePauses, type PauseSummary } from '../experiments/timing.ts';
import { fitPauseCost, predictPause, type PauseFit } from '../model/index.ts';
import { hostDrift } from './host-drift.ts';
import type { ExperimentReport } from '../report/schema.ts';

/** The fit must explain at least this share of the variance of the measured pauses. */
export const MIN_R2 = 0.95;

/**
 * What a configuration's pauses are summed up by for the fit. A board times itself (`ticks_us`):
 * the median. A host-timed device (the virtual Pico) shares the host with everything else, and the
 * host only ever adds time: whole rounds of one run come out 1.5–2.5× slower on a busy or throttled
 * host while the others hold the level. The lower quartile keeps the fit on the device's own cost
 * as long as a quarter of the repetitions ran undisturbed.
 */
export type FitStatistic = 'median' | 'lower quartile';

export interface FitPoint {
  experiment: string;
  /** e.g. `n_live=2000` or `n_live=2000 pinned`. */
  label: string;
  nLive: number;
  position?: 'packed' | 'pinned';
  /** The configuration's pauses summed up by the model's `statistic`. */
  measured: number;
  predicted: number;
  residual: number;
  work: HeapPauseWork;
}

export interface PauseCostModel extends Omit<PauseFit, 'residuals'> {
  statistic: FitStatistic;
  points: FitPoint[];
}

/**
 * What needs more than one experiment: the pause-cost model, fitted on the pauses of every
 * configuration of pause-vs-live and pause-vs-heap-position together (the second separates sweep
 * cost from mark cost, which the first alone cannot).
 */
export function crossExperimentAnalysis(
  experiments: ExperimentReport[],
  info: DeviceInfo,
): { crossChecks: Check[]; model: Record<string, unknown> } {
  const sources = experiments.filter(
    (e) => e.status === 'completed' && (e.id === 'pause-vs-live' || e.id === 'pause-vs-heap-position'),
  );
  const id = 'pause-cost/fit';
  const title = `the pause-cost model explains the measured pauses (R² ≥ ${MIN_R2})`;
  if (sources.length === 0) return { crossChecks: [], model: {} };
  const model = modelFor(info);
  if ('reason' in model) {
    return { crossChecks: [{ id, title, status: 'skipped', reason: model.reason }], model: {} };
  }
  const configs = sources.flatMap((e) => configurationsOf(e));
  if (configs.length < 5) {
    return {
      crossChecks: [
        {
          id,
          title,
          status: 'skipped',
          reason: `only ${configs.length} configurations were measured; the fit needs 5`,
        },
      ],
      model: {},
    };
  }
  const hostTimed = info.capabilities.collectTiming === 'host-timed';
  const statistic: FitStatistic = hostTimed ? 'lower quartile' : 'median';
  const withWork = configs.map((c) => ({
    ...c,
    measured: statistic === 'median' ? c.pauses.median : c.pauses.q1,
    work: pauseWorkOf(model.config, c.memInfo, { n: c.nLive, object: `bytearray(${c.size})` }),
  }));
  const fit = fitPauseCost(withWork.map((c) => ({ pauseUs: c.measured, ...c.work })));
  const points: FitPoint[] = withWork.map((c) => {
    const predicted = predictPause(fit.coefficients, c.work);
    return {
      experiment: c.experiment,
      label: c.label,
      nLive: c.nLive,
      ...(c.position ? { position: c.position } : {}),
      measured: c.measured,
      predicted,
      residual: c.measured - predicted,
      work: c.work,
    };
  });
  const { residuals: _residuals, ...rest } = fit;
  const pauseCost: PauseCostModel = { ...rest, statistic, points };
  const worst = Math.max(...points.map((p) => Math.abs(p.residual)));
  const observed = `R² = ${fit.r2 === null ? 'undefined' : fit.r2.toFixed(3)} over ${points.length} configurations (${statistic} of each); largest residual ${worst.toFixed(1)} µs`;
  const drift = hostTimed
    ? hostDrift(
        withWork.map((c) => ({
          ...c,
          work: c.work.wordsScanned + c.work.blocksSwept + c.work.blocksRescanned,
        })),
      )
    : undefined;
  if (drift) {
    const reason = `the host's speed changed during the run (${drift}); a fit of pauses timed on the host would judge the host, not the collector (${observed})`;
    return { crossChecks: [{ id, title, status: 'skipped', reason }], model: { pauseCost } };
  }
  return {
    crossChecks: [
      {
        id,
        title,
        status: fit.r2 !== null && fit.r2 >= MIN_R2 ? 'pass' : 'fail',
        observed,
        expected: `R² ≥ ${MIN_R2}`,
      },
    ],
    model: { pauseCost },
  };
}

interface Configuration {
  experiment: string;
  label: string;
  nLive: number;
  size: number;
  position?: 'packed' | 'pinned';
  pauses: PauseSummary;
  /** The pauses in the order they were measured, and the rounds they were measured in. */
  values: number[];
  rounds: number;
  memInfo: string;
}

/** Each (live set, position) of an experiment with its heap dump and a summary of its pauses. */
function configurationsOf(e: ExperimentReport): Configuration[] {
  const size = typeof e.params.size === 'number' ? e.params.size : 48;
  const rounds = typeof e.params.rounds === 'number' ? e.params.rounds : 1;
  const key = (s: Record<string, unknown>) =>
    `${String(s.nLive)}/${typeof s.position === 'string' ? s.position : ''}`;
  const heaps = new Map<string, string>();
  const pauses = new Map<string, number[]>();
  for (const s of e.samples) {
    if (s.type === 'heap' && typeof s.memInfo === 'string') heaps.set(key(s), s.memInfo);
    if (s.type === 'pause' && typeof s.us === 'number')
      pauses.set(key(s), [...(pauses.get(key(s)) ?? []), s.us]);
  }
  return [...pauses].flatMap(([k, values]) => {
    const memInfo = heaps.get(k);
    if (!memInfo) return [];
    const [n, position] = k.split('/');
    const pos = position === 'packed' || position === 'pinned' ? position : undefined;
    return [
      {
        experiment: e.id,
        label: `n_live=${n}${pos ? ` ${pos}` : ''}`,
        nLive: Number(n),
        size,
        ...(pos ? { position: pos } : {}),
        pauses: summarizePauses(values),
        values,
        rounds,
        memInfo,
      },
    ];
  });
}
