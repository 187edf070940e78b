import type { TopLevelSpec } from 'vega-lite';
import { MEASURED, MODEL, chartHeader, finite, requireRows } from './spec.ts';

export interface RateBar {
  label: string;
  measured: number;
  low?: number;
  high?: number;
  /** Model prediction, drawn as a tick across the bar. */
  model?: number;
}

export interface CollectionRateInput {
  bars: readonly RateBar[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

/** Bars of measured collections per 1000 operations, with their spread and the model's tick. */
export function collectionRateSpec(input: CollectionRateInput): TopLevelSpec {
  requireRows(input.bars, 'collection-rate bars');
  input.bars.forEach((b, i) => finite(`bars[${i}]`, b.measured, b.low, b.high, b.model));
  const x = { field: 'label', type: 'nominal' as const, title: input.xTitle ?? null, sort: null };
  return {
    ...chartHeader(
      input.title ?? 'Collections per 1000 float operations',
      'bars: measured; orange tick: model',
    ),
    width: 460,
    height: 240,
    data: { values: [...input.bars] },
    layer: [
      {
        mark: { type: 'bar', color: MEASURED, opacity: 0.85 },
        encoding: {
          x,
          y: { field: 'measured', type: 'quantitative', title: input.yTitle ?? 'collections / 1000 ops' },
        },
      },
      {
        transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
        mark: { type: 'rule', color: '#1f2328' },
        encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        transform: [{ filter: 'isValid(datum.model)' }],
        mark: { type: 'tick', color: MODEL, thickness: 3 },
        encoding: { x, y: { field: 'model', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
