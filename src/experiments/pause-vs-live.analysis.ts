import { formatUs, roundPercent } from '../format.ts';
import { median } from '../analysis/stats.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import type { Analysis, Check } from './experiment.ts';
import type { PauseSample, PauseVsLiveParams } from './pause-vs-live.schema.ts';
import { compareSamples, groupBy, summarizePauses, type PauseSummary } from './timing.ts';

export interface PauseVsLivePoint extends PauseSummary {
  nLive: number;
}

/**
 * Medians per live-set size, and the one claim this experiment checks by itself: a collection
 * with the most live objects takes longer than one with the fewest. The fit of the pause-cost
 * model spans experiments (run/cross-analysis.ts).
 */
export function analysePauseVsLive(input: {
  samples: PauseSample[];
  info: DeviceInfo;
  params: PauseVsLiveParams;
}): Analysis {
  const pauses = input.samples.filter((s) => s.type === 'pause');
  const groups = groupBy(pauses, (s) => s.nLive);
  const points: PauseVsLivePoint[] = [...groups].map(([nLive, g]) => ({
    nLive,
    ...summarizePauses(g.map((s) => s.us)),
  }));
  const checks: Check[] = [];
  const sizes = [...groups.keys()].sort((a, b) => a - b);
  const fewest = sizes[0];
  const most = sizes.at(-1);
  if (fewest !== undefined && most !== undefined && fewest !== most) {
    const a = groups.get(fewest)!.map((s) => s.us);
    const b = groups.get(most)!.map((s) => s.us);
    const d = compareSamples(a, b);
    checks.push({
      id: 'pause-vs-live/grows',
      title: `a pause with ${most} live objects is longer than with ${fewest}`,
      status: d.larger ? 'pass' : 'fail',
      observed: `${formatUs(median(a))} → ${formatUs(median(b))} (${roundPercent(d.change.estimate)}, 95% CI ${roundPercent(d.change.low)}…${roundPercent(d.change.high)}, p=${d.p.toPrecision(2)})`,
      expected: 'a longer pause',
      tolerance: 'CI above 0 and Mann-Whitney p < 0.01',
    });
  }
  const unstable = points.filter((p) => p.unstable).map((p) => p.nLive);
  return {
    summary: { points, method: pauses[0]?.method, unstable },
    metrics: [...groups].map(([nLive, g]) => ({
      id: `pause-vs-live/n=${nLive}`,
      title: `pause with ${nLive} live bytearray(${input.params.size})`,
      unit: 'µs',
      values: g.map((s) => s.us),
      better: 'lower' as const,
    })),
    checks,
  };
}
