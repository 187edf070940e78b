import { formatUs } from '../format.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { firstOverflowingArgvLength, parseObjectSpec } from '../model/index.ts';
import { modelFor } from './device-model.ts';
import type { Analysis, Check } from './experiment.ts';
import type { MarkOverflowParams, MarkOverflowSample } from './mark-overflow.schema.ts';
import { compareSamples, groupBy, summarizePauses, type PauseSummary } from './timing.ts';

export interface ShapePoint extends PauseSummary {
  size: number;
}

/**
 * The mark stack holds 64 entries. One list with more unmarked children than that overflows it,
 * and the rescan of the whole heap shows as a step in the pause; a chain never fills the stack.
 */
export function analyseMarkOverflow(input: {
  samples: MarkOverflowSample[];
  info: DeviceInfo;
  params: MarkOverflowParams;
}): Analysis {
  const model = modelFor(input.info);
  const pauses = input.samples;
  const byShape = groupBy(pauses, (s) => s.shape);
  const points = (shape: 'wide' | 'chain') =>
    [...groupBy(byShape.get(shape) ?? [], (s) => s.size)]
      .map(([size, g]) => ({ size, values: g.map((s) => s.us) }))
      .sort((a, b) => a.size - b.size);
  const wide = points('wide');
  const chain = points('chain');

  // The biggest step between neighbouring list sizes.
  let cliff: { from: number; to: number; ratio: number; p: number; significant: boolean } | null = null;
  for (let i = 1; i < wide.length; i++) {
    const a = wide[i - 1]!;
    const b = wide[i]!;
    const ratio = summarizePauses(b.values).median / Math.max(summarizePauses(a.values).median, 0.001);
    if (!cliff || ratio > cliff.ratio) {
      const d = compareSamples(a.values, b.values);
      cliff = { from: a.size, to: b.size, ratio, p: d.p, significant: d.larger };
    }
  }
  // The first child count that overflows, for exactly the graph the script builds.
  const predictedCliff =
    'config' in model ? firstOverflowingArgvLength(model.config, parseObjectSpec('bytearray(16)')) : null;
  const measured = new Set(input.params.wide);

  const checks: Check[] = [];
  if ('reason' in model) {
    checks.push({
      id: 'mark-overflow/cliff',
      title: 'a list of 64+ children overflows the mark stack',
      status: 'skipped',
      reason: model.reason,
    });
  } else if (cliff && predictedCliff !== null) {
    const title = `one list with too many children overflows the ${model.config.markStackSize}-entry mark stack`;
    if (![-2, -1, 0, 1].every((d) => measured.has(predictedCliff + d))) {
      checks.push({
        id: 'mark-overflow/cliff',
        title,
        status: 'skipped',
        reason: `the sizes measured (${input.params.wide.join(', ')}) do not include ${predictedCliff - 2}…${predictedCliff + 1}, so a step at ${predictedCliff} ± 1 cannot be placed`,
      });
    } else {
      // The script holds the children in sys.argv, traced with an empty stack: the model knows
      // the exact graph, so the step must land on its child count, give or take one.
      const within = cliff.from === cliff.to - 1 && Math.abs(cliff.to - predictedCliff) <= 1;
      checks.push({
        id: 'mark-overflow/cliff',
        title,
        status: cliff.significant && within ? 'pass' : 'fail',
        observed: `the biggest step is ${cliff.from} → ${cliff.to} children: ×${cliff.ratio.toFixed(1)} (p=${cliff.p.toPrecision(2)})`,
        expected: `a significant step at ${predictedCliff - 1} → ${predictedCliff} children (the model's first overflow for ${predictedCliff} children in sys.argv, each a bytearray(16))`,
        tolerance: '± 1 child; Mann-Whitney p < 0.01, CI above 0',
      });
    }
  }
  // A chain's pause grows with its length; it must not grow faster, as rescans would make it.
  for (let i = 1; i < chain.length; i++) {
    const a = chain[i - 1]!;
    const b = chain[i]!;
    const growth = summarizePauses(b.values).median / Math.max(summarizePauses(a.values).median, 0.001);
    const limit = 1.5 * (b.size / a.size);
    checks.push({
      id: `mark-overflow/chain=${b.size}`,
      title: `a chain of ${b.size} does not overflow the mark stack`,
      status: growth <= limit ? 'pass' : 'fail',
      observed: `${formatUs(summarizePauses(a.values).median)} at ${a.size} → ${formatUs(summarizePauses(b.values).median)} at ${b.size} (×${growth.toFixed(1)})`,
      expected: `at most ×${limit.toFixed(1)} (1.5 × the length ratio)`,
    });
  }
  const summaries = (list: { size: number; values: number[] }[]): ShapePoint[] =>
    list.map((p) => ({ size: p.size, ...summarizePauses(p.values) }));
  return {
    summary: { wide: summaries(wide), chain: summaries(chain), cliff, predictedCliff },
    metrics: [
      ...wide.map((p) => ({ ...p, shape: 'wide' })),
      ...chain.map((p) => ({ ...p, shape: 'chain' })),
    ].map((p) => ({
      id: `mark-overflow/${p.shape}=${p.size}`,
      title: `pause, ${p.shape} live graph of ${p.size}`,
      unit: 'µs',
      values: p.values,
      better: 'lower' as const,
    })),
    checks,
  };
}
