import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../../errors.ts';
import { isSafeUrl } from '../html.ts';
import { MARK, chartHeader, finite, requireRows } from './spec.ts';

export interface TrendPoint {
  /** Position along the history (0, 1, 2, ...). */
  run: number;
  value: number;
  low?: number;
  high?: number;
  /** Colour group, e.g. the firmware label. */
  label: string;
  /** Link to that run's report (relative path or http(s)); clickable in the SVG. */
  href?: string;
}

export interface TrendInput {
  metric: string;
  unit?: string;
  points: readonly TrendPoint[];
  /** Runs that start a new level (change-point detection); a rule is drawn just before each. */
  steps?: readonly { run: number; label?: string }[];
  labelTitle?: string;
  width?: number;
}

/**
 * One metric across the runs of a history, coloured by firmware, each detected step marked. Link
 * URLs are checked (relative or http(s) only) before vega sees them.
 */
export function trendSpec(input: TrendInput): TopLevelSpec {
  requireRows(input.points, 'trend points');
  const points = input.points.map((p, i) => {
    finite(`points[${i}]`, p.run, p.value, p.low, p.high);
    if (p.href !== undefined && !isSafeUrl(p.href)) {
      throw new InputError(`points[${i}].href is not a relative or http(s) URL: ${JSON.stringify(p.href)}`);
    }
    return { ...p, href: p.href ?? null };
  });
  const steps = (input.steps ?? []).map((s, i) => (finite(`steps[${i}]`, s.run), { ...s, at: s.run - 0.5 }));
  const yTitle = input.unit ? `${input.metric} (${input.unit})` : input.metric;
  const x = {
    field: 'run',
    type: 'quantitative' as const,
    title: 'run',
    axis: { tickMinStep: 1, format: 'd' },
  };
  const layers: unknown[] = [];
  if (steps.length > 0) {
    layers.push({
      data: { values: steps },
      mark: { type: 'rule', color: MARK, strokeWidth: 2, strokeDash: [5, 3] },
      encoding: { x: { field: 'at', type: 'quantitative' } },
    });
    layers.push({
      data: { values: steps.filter((s) => s.label !== undefined) },
      mark: { type: 'text', color: MARK, align: 'left', dx: 4, baseline: 'top', y: 4 },
      encoding: { x: { field: 'at', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  layers.push(
    {
      data: { values: points },
      transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
      mark: { type: 'rule', opacity: 0.6 },
      encoding: {
        x,
        y: { field: 'low', type: 'quantitative' },
        y2: { field: 'high' },
        color: { field: 'label', type: 'nominal', title: input.labelTitle ?? 'firmware' },
      },
    },
    // Points with a report link, and points without one in a layer of their own: an href channel
    // over a missing value would link to the text "null".
    ...[true, false].map((linked) => ({
      data: { values: points },
      transform: [{ filter: linked ? 'isValid(datum.href)' : '!isValid(datum.href)' }],
      mark: { type: 'point', filled: true, size: 60, ...(linked ? { cursor: 'pointer' } : {}) },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
        color: { field: 'label', type: 'nominal', title: input.labelTitle ?? 'firmware' },
        ...(linked ? { href: { field: 'href' } } : {}),
      },
    })),
  );
  return {
    ...chartHeader(
      `${input.metric} across runs`,
      steps.length > 0 ? 'red dashed: a detected step' : 'no step detected',
    ),
    width: input.width ?? 380,
    height: 240,
    layer: layers,
  } as TopLevelSpec;
}
