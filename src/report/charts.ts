import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.ts';
import { isSafeUrl, trustedSvg, type TrustedHtml } from './html.ts';

/**
 * Charts for the reports: declarative vega-lite specs built from plain arrays, compiled to vega and
 * rendered to SVG in Node (no browser, no canvas). Text measurement falls back to vega's width
 * estimate, so the output depends only on the input: the same data gives the same bytes.
 *
 * Device-derived text only ever travels as data values and titles, never as vega expressions;
 * vega's SVG writer escapes it. Link URLs are checked (relative or http(s) only) before vega sees
 * them. Element ids (clip paths) are renamed per chart so that several SVGs inline in one page do
 * not share ids, and so that the numbering does not depend on how many charts were rendered before.
 */

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

export interface GroupedBar {
  /** Outer grouping on the x axis, e.g. the live-set size "1000 objects". */
  group: string;
  /** Bars within a group, e.g. "packed low" / "pinned at top". */
  series: string;
  median: number;
  low?: number;
  high?: number;
}

export interface PauseVsPositionInput {
  bars: readonly GroupedBar[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

export interface SawtoothInput {
  /** mem_alloc (bytes) after each allocation step; `series` separates e.g. threshold settings. */
  samples: readonly { step: number; memAlloc: number; series?: string }[];
  /** Steps at which a collection happened. */
  collections: readonly { step: number; series?: string }[];
  /** Drawn as a horizontal rule when given (bytes). */
  thresholdBytes?: number;
  title?: string;
}

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

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const CONFIG = {
  background: 'white',
  font: FONT,
  view: { stroke: '#d1d9e0' },
  axis: {
    labelColor: '#59636e',
    titleColor: '#1f2328',
    gridColor: '#eaeef2',
    domainColor: '#8c959f',
    titleFontWeight: 600,
  },
  legend: { labelColor: '#1f2328', titleColor: '#1f2328', labelLimit: 220 },
  title: { color: '#1f2328', subtitleColor: '#59636e', fontSize: 14, anchor: 'start' as const, limit: 600 },
  axisBand: { labelAngle: 0 },
};
const MEASURED = '#0969da';
const MODEL = '#bc4c00';
const MARK = '#cf222e';

/** Compile a vega-lite spec and render it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return scopeIds(svg, `c${fnv1a(JSON.stringify(spec))}-`);
  } finally {
    view.finalize();
  }
}

/** Render a spec and mark the result as trusted markup for html.ts. */
export async function renderChart(spec: TopLevelSpec): Promise<TrustedHtml> {
  return trustedSvg(await renderSvg(spec));
}

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
  const title = {
    text: input.title ?? 'Pause vs live objects',
    subtitle: 'points: median ± spread; dashed: model; below: measured − model',
  };
  if (withResiduals.length === 0) return { $schema: SCHEMA, config: CONFIG, title, ...main } as TopLevelSpec;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title,
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

export function pauseVsPositionSpec(input: PauseVsPositionInput): TopLevelSpec {
  requireRows(input.bars, 'pause-vs-position bars');
  input.bars.forEach((b, i) => finite(`bars[${i}]`, b.median, b.low, b.high));
  const yTitle = input.yTitle ?? 'pause (µs)';
  const x = { field: 'group', type: 'nominal' as const, title: input.xTitle ?? 'live set', sort: null };
  const xOffset = { field: 'series', type: 'nominal' as const, sort: null };
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: input.title ?? 'Pause vs heap position',
      subtitle: 'same live set, placed differently in the heap',
    },
    width: 360, // leaves room for the legend in a 560 px figure
    height: 240,
    data: { values: [...input.bars] },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset,
          y: { field: 'median', type: 'quantitative', title: yTitle },
          color: { field: 'series', type: 'nominal', title: null, sort: null },
        },
      },
      {
        transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
        mark: { type: 'rule', color: '#1f2328' },
        encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
    ],
  } as TopLevelSpec;
}

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
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: input.title ?? 'Threshold sawtooth',
      subtitle:
        input.thresholdBytes === undefined
          ? 'red dashed: a collection'
          : 'red dashed: a collection; orange: threshold',
    },
    width: multi ? 360 : 460,
    height: 240,
    layer: layers,
  } as TopLevelSpec;
}

export function collectionRateSpec(input: CollectionRateInput): TopLevelSpec {
  requireRows(input.bars, 'collection-rate bars');
  input.bars.forEach((b, i) => finite(`bars[${i}]`, b.measured, b.low, b.high, b.model));
  const x = { field: 'label', type: 'nominal' as const, title: input.xTitle ?? null, sort: null };
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: input.title ?? 'Collections per 1000 float operations',
      subtitle: 'bars: measured; orange tick: model',
    },
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
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: `${input.metric} across runs`,
      subtitle: steps.length > 0 ? 'red dashed: a detected step' : 'no step detected',
    },
    width: input.width ?? 380,
    height: 240,
    layer: layers,
  } as TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function requireRows(rows: readonly unknown[], what: string): void {
  if (rows.length === 0) throw new InputError(`${what}: nothing to plot`);
}

function finite(what: string, ...values: (number | undefined)[]): void {
  for (const v of values) {
    if (v !== undefined && !Number.isFinite(v))
      throw new InputError(`${what} has a non-finite number: ${String(v)}`);
  }
}

/** Prefix every id in the SVG (and its url(#...) / href="#..." references) with a per-chart scope. */
function scopeIds(svg: string, prefix: string): string {
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string);
  if (ids.length === 0) return svg;
  const renamed = new Map(ids.map((id, i) => [id, `${prefix}${i}`]));
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => a + (renamed.get(id) ?? id) + b)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) =>
      renamed.has(id) ? `url(#${renamed.get(id)})` : whole,
    )
    .replace(/(href=")#([^"]+)(")/g, (whole, a: string, id: string, b: string) =>
      renamed.has(id) ? `${a}#${renamed.get(id)}${b}` : whole,
    );
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a stable, short chart scope. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
