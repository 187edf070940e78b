import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { trustedSvg, type TrustedHtml } from '../html.ts';

/**
 * Charts for the reports are declarative vega-lite specs built from plain arrays (one file a chart
 * in this folder), compiled to vega and rendered to SVG here, in Node (no browser, no canvas). Text
 * measurement falls back to vega's width estimate, so the output depends only on the input: the
 * same data gives the same bytes.
 *
 * Element ids (clip paths) are renamed per chart so that several SVGs inline in one page do not
 * share ids, and so that the numbering does not depend on how many charts were rendered before.
 */

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
