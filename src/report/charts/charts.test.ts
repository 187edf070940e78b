import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.ts';
import { collectionRateSpec } from './collection-rate.ts';
import { pauseVsLiveSpec } from './pause-vs-live.ts';
import { pauseVsPositionSpec } from './pause-vs-position.ts';
import { renderChart, renderSvg } from './render.ts';
import { sawtoothSpec } from './sawtooth.ts';
import { trendSpec, type TrendPoint } from './trend.ts';

const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function count(svg: string, roleDescription: string): number {
  return svg.split(`aria-roledescription="${roleDescription}"`).length - 1;
}

const livePoints = [0, 500, 1000, 2000].map((x) => ({
  x,
  median: 300 + 0.9 * x,
  low: 290 + 0.9 * x,
  high: 320 + 0.9 * x,
  model: 310 + 0.9 * x,
}));

const trendPoints: TrendPoint[] = Array.from({ length: 8 }, (_, run) => ({
  run,
  value: run >= 4 ? 1200 : 1000,
  low: run >= 4 ? 1180 : 980,
  high: run >= 4 ? 1220 : 1020,
  label: run >= 4 ? 'v1.28.0' : EVIL,
  href: `../run-${run}/index.html`,
}));

describe('chart specs rendered to SVG', () => {
  it('pause vs live: measured points, spread bars, model line and a residual panel', async () => {
    const svg = await renderSvg(pauseVsLiveSpec({ points: livePoints }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(count(svg, 'point')).toBe(8); // 4 medians + 4 residuals
    expect(count(svg, 'rule mark')).toBe(4 + 1); // 4 spread bars + the residual panel's zero line, drawn once
    expect(count(svg, 'line mark')).toBe(1);
    expect(svg).toContain('residual (µs)');
    expect(svg).toContain('live objects');
  });

  it('pause vs live without a model has no line and no residual panel', async () => {
    const svg = await renderSvg(
      pauseVsLiveSpec({ points: livePoints.map(({ x, median }) => ({ x, median })) }),
    );
    expect(count(svg, 'point')).toBe(4);
    expect(count(svg, 'line mark')).toBe(0);
    expect(svg).not.toContain('residual');
  });

  it('pause vs heap position: grouped bars with error bars where given', async () => {
    const svg = await renderSvg(
      pauseVsPositionSpec({
        bars: [
          { group: '1000 objects', series: 'packed low', median: 900, low: 880, high: 920 },
          { group: '1000 objects', series: 'pinned at top', median: 1400, low: 1380, high: 1430 },
          { group: '2000 objects', series: 'packed low', median: 1800 },
          { group: '2000 objects', series: 'pinned at top', median: 2300 },
        ],
      }),
    );
    expect(count(svg, 'bar')).toBe(4);
    expect(count(svg, 'rule mark')).toBe(2);
    expect(svg).toContain('pinned at top');
  });

  it('threshold sawtooth: the mem_alloc line, one rule per collection and the threshold', async () => {
    const samples = Array.from({ length: 60 }, (_, step) => ({ step, memAlloc: 4000 + (step % 20) * 160 }));
    const svg = await renderSvg(
      sawtoothSpec({ samples, collections: [{ step: 20 }, { step: 40 }], thresholdBytes: 7200 }),
    );
    expect(count(svg, 'line mark')).toBe(1);
    expect(count(svg, 'rule mark')).toBe(3);
    expect(svg).toContain('mem_alloc (bytes)');
  });

  it('collections per 1000 float ops: bars and model ticks', async () => {
    const svg = await renderSvg(
      collectionRateSpec({
        bars: [
          { label: 'threshold 4096', measured: 3.9, model: 4 },
          { label: 'default', measured: 0.3, low: 0.25, high: 0.35 },
        ],
      }),
    );
    expect(count(svg, 'bar')).toBe(2);
    expect(count(svg, 'tick')).toBe(1);
    expect(count(svg, 'rule mark')).toBe(1);
  });

  it('trend: one clickable point per run, coloured by label, a rule at each detected step', async () => {
    const svg = await renderSvg(
      trendSpec({
        metric: 'pause @1000',
        unit: 'µs',
        points: trendPoints,
        steps: [{ run: 4, label: '+20%' }],
      }),
    );
    expect(count(svg, 'point')).toBe(8);
    const links = [...svg.matchAll(/<a xlink:href="([^"]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(trendPoints.map((p) => p.href));
    expect(count(svg, 'text mark')).toBe(1);
    expect(svg).toContain('+20%');
    expect(svg).toContain('v1.28.0');
  });

  it('trend: a point without a report is drawn without a link', async () => {
    const [first, ...rest] = trendPoints;
    const { href: _none, ...unlinked } = first!;
    const svg = await renderSvg(trendSpec({ metric: 'm', points: [unlinked, ...rest] }));
    expect(count(svg, 'point')).toBe(trendPoints.length);
    const links = [...svg.matchAll(/<a xlink:href="([^"]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(rest.map((p) => p.href));
  });

  it('device text is escaped everywhere it can appear', async () => {
    const specs = [
      pauseVsLiveSpec({ points: livePoints, title: EVIL, xTitle: EVIL }),
      pauseVsPositionSpec({ bars: [{ group: EVIL, series: EVIL, median: 1 }] }),
      sawtoothSpec({ samples: [{ step: 0, memAlloc: 1, series: EVIL }], collections: [{ step: 0 }] }),
      collectionRateSpec({ bars: [{ label: EVIL, measured: 1 }] }),
      trendSpec({ metric: EVIL, points: trendPoints, steps: [{ run: 4, label: EVIL }] }),
    ];
    for (const spec of specs) {
      const svg = await renderSvg(spec);
      expect(svg).not.toMatch(/<script|<img/i);
      expect(svg).toContain('&lt;script&gt;');
    }
  });

  it('refuses links that could run code or leave the report', () => {
    for (const href of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,x',
      '//evil.example/x',
      'vbscript:x',
    ]) {
      expect(
        () => trendSpec({ metric: 'm', points: [{ run: 0, value: 1, label: 'a', href }] }),
        href,
      ).toThrow(InputError);
    }
    expect(() =>
      trendSpec({
        metric: 'm',
        points: [{ run: 0, value: 1, label: 'a', href: 'https://ci.example/run/1' }],
      }),
    ).not.toThrow();
  });

  it('is deterministic, and scopes element ids per chart', async () => {
    const spec = pauseVsLiveSpec({ points: livePoints });
    expect(await renderSvg(spec)).toBe(await renderSvg(spec));
    // A clipped mark makes vega emit a <clipPath id>; its global counter must not leak into the output.
    const clipped = (n: number) =>
      ({
        data: { values: [{ x: n, y: 1 }] },
        mark: { type: 'point', clip: true },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      }) as const;
    const a1 = await renderSvg(clipped(1));
    const b = await renderSvg(clipped(2));
    const a2 = await renderSvg(clipped(1));
    expect(a2).toBe(a1);
    const ids = (svg: string) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a1).length).toBeGreaterThan(0);
    expect(ids(a1).some((id) => ids(b).includes(id))).toBe(false);
    for (const ref of a1.matchAll(/url\(#([^)]+)\)/g)) expect(ids(a1)).toContain(ref[1]);
  });

  it('renderChart returns trusted markup for html.ts', async () => {
    const chart = await renderChart(collectionRateSpec({ bars: [{ label: 'a', measured: 1 }] }));
    expect(chart.html.startsWith('<svg')).toBe(true);
  });

  it('rejects empty and non-finite data with InputError', () => {
    expect(() => pauseVsLiveSpec({ points: [] })).toThrow(/nothing to plot/);
    expect(() => pauseVsLiveSpec({ points: [{ x: 1, median: Number.NaN }] })).toThrow(InputError);
    expect(() =>
      trendSpec({ metric: 'm', points: [{ run: 0, value: Number.POSITIVE_INFINITY, label: 'a' }] }),
    ).toThrow(InputError);
    expect(() =>
      sawtoothSpec({ samples: [{ step: 0, memAlloc: 1 }], collections: [], thresholdBytes: Number.NaN }),
    ).toThrow(InputError);
  });
});
