import type { TopLevelSpec } from 'vega-lite';
import { MEASURED, MODEL, chartHeader, finite, requireRows } from './spec.ts';

export interface MeasuredPoint {
  x: number;
  /** Median of the repetitions. */
  median: number;
  /** Spread shown as an error bar, e.g. the quartiles or a CI. */
  low?: number;
  high?: number;
  /** The model's prediction at x; gives the model line and the residual. */
  model?: number;
}

export interface PauseVsLiveInput {
  points: readonly MeasuredPoint[];
  /** Model curve to draw (e.g. more x values than measured); default: the points' model values. */
  modelCurve?: readonly { x: number; y: number }[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
}

/** Measured pauses (median ± spread) against the live set, the model's line, and the residuals below. */
export function pauseVsLiveSpec(input: PauseVsLiveInput): TopLevelSpec {
  requireRows(input.points, 'pause-vs-live points');
  const rows = input.points.map((p, i) => {
    finite(`points[${i}]`, p.x, p.median, p.low, p.high, p.model);
    return { ...p, residual: p.model === undefined ? null : p.median - p.model };
  });
  const curve =
    input.modelCurve?.map((c, i) => (finite(`modelCurve[${i}]`, c.x, c.y), c)) ??
    rows.filter((p) => p.model !== undefined).map((p) => ({ x: p.x, y: p.model as number }));
  const width = input.width ?? 460;
  const xTitle = input.xTitle ?? 'live objects';
  const yTitle = input.yTitle ?? 'pause (µs)';
  const x = { field: 'x', type: 'quantitative' as const, title: xTitle };
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: rows.filter((r) => r.low !== undefined && r.high !== undefined) },
      mark: { type: 'rule', color: MEASURED, opacity: 0.6 },
      encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } },
    },
    {
      data: { values: rows },
      mark: { type: 'point', filled: true, color: MEASURED, size: 40 },
      encoding: { x, y: { field: 'median', type: 'quantitative', title: yTitle } },
    },
  ];
  if (curve.length > 0) {
    layers.push({
      data: { values: [...curve].sort((a, b) => a.x - b.x) },
      mark: { type: 'line', color: MODEL, strokeDash: [6, 3] },
      encoding: { x, y: { field: 'y', type: 'quantitative' } },
    });
  }
  const main = { width, height: 240, layer: layers };
  const withResiduals = rows.filter((r) => r.residual !== null);
  const header = chartHeader(
    input.title ?? 'Pause vs live objects',
    'points: median ± spread; dashed: model; below: measured − model',
  );
  if (withResiduals.length === 0) return { ...header, ...main } as TopLevelSpec;
  return {
    ...header,
    vconcat: [
      main,
      {
        width,
        height: 90,
        layer: [
          {
            data: { values: [{ zero: 0 }] }, // one row: one line, not one per point
            mark: { type: 'rule', color: '#8c959f' },
            encoding: { y: { field: 'zero', type: 'quantitative' } },
          },
          {
            data: { values: withResiduals },
            mark: { type: 'point', filled: true, color: MEASURED },
            encoding: { x, y: { field: 'residual', type: 'quantitative', title: 'residual (µs)' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
