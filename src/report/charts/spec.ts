import { InputError } from '../../errors.ts';

/**
 * What every chart's vega-lite spec shares: the schema, the look (a light theme in the report's
 * colours, one font stack), the colours that mean the same in every chart, and the checks on the
 * input. Device-derived text only ever travels as data values and titles, never as vega
 * expressions; vega's SVG writer escapes it.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

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

/** What was measured. */
export const MEASURED = '#0969da';
/** What the model predicts. */
export const MODEL = '#bc4c00';
/** An event marked on the chart: a collection, a detected step. */
export const MARK = '#cf222e';

/** The top of a chart's spec: the schema, the look, and the title with its subtitle. */
export function chartHeader(text: string, subtitle: string) {
  return { $schema: SCHEMA, config: CONFIG, title: { text, subtitle } };
}

/** A chart with nothing to plot is a caller's mistake, said as one. */
export function requireRows(rows: readonly unknown[], what: string): void {
  if (rows.length === 0) throw new InputError(`${what}: nothing to plot`);
}

/** NaN or ±Infinity would draw nothing, silently: refuse them, naming the row. */
export function finite(what: string, ...values: (number | undefined)[]): void {
  for (const v of values) {
    if (v !== undefined && !Number.isFinite(v))
      throw new InputError(`${what} has a non-finite number: ${String(v)}`);
  }
}
