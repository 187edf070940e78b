import type { DeviceInfo } from '../device/device-info.ts';
import { modelFor } from '../experiments/device-model.ts';
import type { Check } from '../experiments/experiment.ts';
import { pauseWorkOf, type HeapPauseWork } from '../experiments/pause-work.ts';
import { summarizePauses } from '../experiments/timing.ts';
import { fitPauseCost, predictPause, type PauseFit } from '../model/index.ts';
import type { ExperimentReport } from '../report/schema.ts';

/** The fit must explain at least this share of the variance of the measured medians. */
export const MIN_R2 = 0.95;

export interface FitPoint {
  experiment: string;
  /** e.g. `n_live=2000` or `n_live=2000 pinned`. */
  label: string;
  nLive: number;
  position?: 'packed' | 'pinned';
  measuredMedian: number;
  predicted: number;
  residual: number;
  work: HeapPauseWork;
}

export interface PauseCostModel extends Omit<PauseFit, 'residuals'> {
  points: FitPoint[];
}

/**
 * What needs more than one experiment: the pause-cost model, fitted on the median pause of every
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
  const withWork = configs.map((c) => ({
    ...c,
    work: pauseWorkOf(model.config, c.memInfo, { n: c.nLive, object: `bytearray(${c.size})` }),
  }));
  const fit = fitPauseCost(withWork.map((c) => ({ pauseUs: c.median, ...c.work })));
  const points: FitPoint[] = withWork.map((c) => {
    const predicted = predictPause(fit.coefficients, c.work);
    return {
      experiment: c.experiment,
      label: c.label,
      nLive: c.nLive,
      ...(c.position ? { position: c.position } : {}),
      measuredMedian: c.median,
      predicted,
      residual: c.median - predicted,
      work: c.work,
    };
  });
  const { residuals: _residuals, ...rest } = fit;
  const pauseCost: PauseCostModel = { ...rest, points };
  const worst = Math.max(...points.map((p) => Math.abs(p.residual)));
  return {
    crossChecks: [
      {
        id,
        title,
        status: fit.r2 !== null && fit.r2 >= MIN_R2 ? 'pass' : 'fail',
        observed: `R² = ${fit.r2 === null ? 'undefined' : fit.r2.toFixed(3)} over ${points.length} configurations; largest residual ${worst.toFixed(1)} µs`,
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
  median: number;
  memInfo: string;
}

/** Each (live set, position) of an experiment with its heap dump and the median of its pauses. */
function configurationsOf(e: ExperimentReport): Configuration[] {
  const size = typeof e.params.size === 'number' ? e.params.size : 48;
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
        median: summarizePauses(values).median,
        memInfo,
      },
    ];
  });
}
