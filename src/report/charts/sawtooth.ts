import type { TopLevelSpec } from 'vega-lite';
import { MARK, MEASURED, MODEL, chartHeader, finite, requireRows } from './spec.ts';

export interface SawtoothInput {
  /** mem_alloc (bytes) after each allocation step; `series` separates e.g. threshold settings. */
  samples: readonly { step: number; memAlloc: number; series?: string }[];
  /** Steps at which a collection happened. */
  collections: readonly { step: number; series?: string }[];
  /** Drawn as a horizontal rule when given (bytes). */
  thresholdBytes?: number;
  title?: string;
}

/** mem_alloc step by step, each collection marked, and the threshold when given. */
export function sawtoothSpec(input: SawtoothInput): TopLevelSpec {
  requireRows(input.samples, 'sawtooth samples');
  input.samples.forEach((s, i) => finite(`samples[${i}]`, s.step, s.memAlloc));
  input.collections.forEach((c, i) => finite(`collections[${i}]`, c.step));
  finite('thresholdBytes', input.thresholdBytes);
  const multi = input.samples.some((s) => s.series !== undefined);
  const color = multi ? { color: { field: 'series', type: 'nominal' as const, title: null } } : {};
  const layers: unknown[] = [
    {
      data: { values: input.samples.map((s) => ({ ...s, series: s.series ?? '' })) },
      mark: { type: 'line', interpolate: 'step-after', ...(multi ? {} : { color: MEASURED }) },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'allocation step' },
        y: { field: 'memAlloc', type: 'quantitative', title: 'mem_alloc (bytes)' },
        ...color,
      },
    },
  ];
  if (input.collections.length > 0) {
    layers.push({
      data: { values: input.collections.map((c) => ({ ...c, kind: 'collection' })) },
      mark: { type: 'rule', color: MARK, strokeDash: [2, 2], opacity: 0.7 },
      encoding: { x: { field: 'step', type: 'quantitative' } },
    });
  }
  if (input.thresholdBytes !== undefined) {
    layers.push({
      data: { values: [{ y: input.thresholdBytes }] },
      mark: { type: 'rule', color: MODEL },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  return {
    ...chartHeader(
      input.title ?? 'Threshold sawtooth',
      input.thresholdBytes === undefined
        ? 'red dashed: a collection'
        : 'red dashed: a collection; orange: threshold',
    ),
    width: multi ? 360 : 460,
    height: 240,
    layer: layers,
  } as TopLevelSpec;
}
