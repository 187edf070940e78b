import type { DeviceInfo } from '../device/device-info.ts';
import { buildLiveSet, parseObjectSpec } from '../model/index.ts';
import { modelFor } from './device-model.ts';
import type { Analysis, Check } from './experiment.ts';
import type { MarkOverflowParams, MarkOverflowSample } from './mark-overflow.ts';
import { compareSamples, fmtUs, groupBy, summarizePauses, type PauseSummary } from './timing.ts';

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
  const pauses = input.samples.filter((s) => s.type === 'pause');
  const globals = Math.max(0, ...input.samples.flatMap((s) => (s.type === 'globals' ? [s.globals] : [])));
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
  const predictedCliff =
    'config' in model
      ? (input.params.wide.find(
          (k) =>
            buildLiveSet({
              config: model.config,
              live: k,
              object: parseObjectSpec('bytearray(16)'),
              shape: 'list',
            }).heap.collectNow('explicit').work.rescans > 0,
        ) ?? null)
      : null;

  const checks: Check[] = [];
  if ('reason' in model) {
    checks.push({
      id: 'mark-overflow/cliff',
      title: 'a list of 64+ children overflows the mark stack',
      status: 'skipped',
      reason: model.reason,
    });
  } else if (cliff && predictedCliff !== null) {
    // The model's list is the only object waiting; on the device, globals traced before it wait
    // on the stack too and bring the overflow forward by up to one child each.
    const earliest = predictedCliff - globals;
    const within = cliff.to > earliest - 1 && cliff.from < predictedCliff + 1;
    checks.push({
      id: 'mark-overflow/cliff',
      title: `one list with too many children overflows the ${model.config.markStackSize}-entry mark stack`,
      status: cliff.significant && within ? 'pass' : 'fail',
      observed: `the biggest step is ${cliff.from} → ${cliff.to} children: ×${cliff.ratio.toFixed(1)} (p=${cliff.p.toPrecision(2)})`,
      expected: `a significant step reaching ${earliest}…${predictedCliff} children (model: ${predictedCliff} with nothing else waiting; ${globals} globals may wait)`,
      tolerance: 'Mann-Whitney p < 0.01, CI above 0',
    });
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
      observed: `${fmtUs(summarizePauses(a.values).median)} at ${a.size} → ${fmtUs(summarizePauses(b.values).median)} at ${b.size} (×${growth.toFixed(1)})`,
      expected: `at most ×${limit.toFixed(1)} (1.5 × the length ratio)`,
    });
  }
  const summaries = (list: { size: number; values: number[] }[]): ShapePoint[] =>
    list.map((p) => ({ size: p.size, ...summarizePauses(p.values) }));
  return {
    summary: { wide: summaries(wide), chain: summaries(chain), cliff, predictedCliff, globals },
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
