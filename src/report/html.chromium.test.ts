import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumStatus, launchChromium, type ChromiumSession } from '../../test/support/chromium.ts';
import { loadMemInfo } from '../../test/support/fixtures.ts';
import { collectionRateSpec } from './charts/collection-rate.ts';
import { pauseVsLiveSpec } from './charts/pause-vs-live.ts';
import { pauseVsPositionSpec } from './charts/pause-vs-position.ts';
import { renderChart } from './charts/render.ts';
import { sawtoothSpec } from './charts/sawtooth.ts';
import { trendSpec } from './charts/trend.ts';
import { longestFreeRun, renderHeapMap } from './heapmap-svg.ts';
import { chartFigure, chartGrid, deviceCard, html, renderPage, verdictTable } from './html.ts';

const EVIL = '<img src=x onerror=alert(1)>';
const chromium = chromiumStatus();
const dir = mkdtempSync(join(tmpdir(), 'picogc-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Heap cells from the real fixture (the full parser lives in src/meminfo). */
function fixtureCells(): string {
  const dump = loadMemInfo('mem_info1-fragmented');
  const cells = new Array<string>(Number(/GC: total: (\d+)/.exec(dump)?.[1]) / 16).fill('.');
  for (const m of dump.matchAll(/^([0-9a-f]{8}): (\S+)\r?$/gm)) {
    [...(m[2] as string)].forEach((ch, i) => (cells[parseInt(m[1] as string, 16) / 16 + i] = ch));
  }
  return cells.join('');
}

async function buildReport(): Promise<string> {
  const points = [0, 250, 500, 1000, 2000].map((x) => ({
    x,
    median: 310 + 0.92 * x,
    low: 300 + 0.9 * x,
    high: 330 + 0.95 * x,
    model: 305 + 0.92 * x,
  }));
  const charts = await Promise.all([
    renderChart(pauseVsLiveSpec({ points })),
    renderChart(
      pauseVsPositionSpec({
        bars: [
          { group: '1000 objects', series: 'packed low', median: 900, low: 880, high: 930 },
          { group: '1000 objects', series: 'pinned at top', median: 1500 },
        ],
      }),
    ),
    renderChart(
      sawtoothSpec({
        samples: Array.from({ length: 90 }, (_, step) => ({ step, memAlloc: 3000 + (step % 30) * 160 })),
        collections: [{ step: 30 }, { step: 60 }],
        thresholdBytes: 7800,
      }),
    ),
    renderChart(collectionRateSpec({ bars: [{ label: 'threshold 4096', measured: 3.9, model: 4 }] })),
    renderChart(
      trendSpec({
        metric: 'pause @1000',
        unit: 'µs',
        points: Array.from({ length: 8 }, (_, run) => ({
          run,
          value: run >= 4 ? 1200 : 1000,
          label: run >= 4 ? 'v1.28.0' : EVIL,
          href: `run-${run}/index.html`,
        })),
        steps: [{ run: 4, label: '+20%' }],
      }),
    ),
  ]);
  const cells = fixtureCells();
  const heap = renderHeapMap({
    cells,
    longestFreeRun: longestFreeRun(cells) ?? undefined,
    title: 'Heap after frag.py',
  });
  const body = html`${deviceCard({
    title: 'Board',
    fields: [
      ['Firmware', 'MicroPython v1.28.0 on 2026-04-06; Raspberry Pi Pico with RP2040'],
      ['Device said', EVIL],
    ],
    capabilities: [{ name: 'ticks_us 1 µs', supported: true }],
  })}
  ${verdictTable([
    { experiment: 'alloc-sizes', check: 'float = 16 B', status: 'pass' },
    { experiment: 'pause-vs-live', check: 'R² ≥ 0.95', status: 'fail', detail: EVIL },
    { experiment: 'mark-overflow', check: 'step', status: 'skipped', detail: 'virtual Pico' },
  ])}
  ${chartGrid(charts.map((c, i) => chartFigure(`Chart ${i + 1}`, c)))} ${chartFigure('Heap map', heap)}`;
  const file = join(dir, 'index.html');
  writeFileSync(file, renderPage({ title: `picogc report ${EVIL}`, body, footer: 'picogc test' }));
  return file;
}

describe.skipIf(!chromium.available)(
  `report page in headless Chromium${chromium.available ? '' : ` (skipped: ${chromium.reason})`}`,
  () => {
    let browser: ChromiumSession;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser.close();
    });

    it('shows every chart and the heap map, logs nothing, loads nothing, runs nothing', async () => {
      const file = await buildReport();
      const opened = await browser.open(file);
      try {
        const { page } = opened;
        expect(await page.locator('svg').count()).toBe(6); // five charts + the heap map
        expect(await page.locator('figure.chart svg').count()).toBe(6);
        expect(await page.locator('svg a').count()).toBe(8); // one link per trend point
        // Every chart actually laid out with a size.
        for (const svg of await page.locator('svg').all()) {
          expect((await svg.boundingBox())?.width).toBeGreaterThan(100);
        }
        // The device string is text on the page, not an element.
        expect(await page.locator('img').count()).toBe(0);
        expect(await page.locator('dd', { hasText: EVIL }).count()).toBe(1);
        expect(await page.locator('td', { hasText: EVIL }).count()).toBe(1);
        expect(await page.title()).toBe(`picogc report ${EVIL}`);
        // The fail colour comes from the inline stylesheet (CSP allows inline styles only).
        const failColour = await page.evaluate(
          'getComputedStyle(document.querySelector(".status.fail")).color',
        );
        expect(failColour).toBe('rgb(207, 34, 46)');
        const png = process.env.PICOGC_SCREENSHOT ?? join(dir, 'report.png');
        const shot = await opened.screenshot(png);
        expect(
          shot.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
        ).toBe(true);
        expect(readFileSync(png).length).toBeGreaterThan(10_000);
        expect(opened.failures()).toEqual([]);
      } finally {
        await opened.close();
      }
    });

    it('the harness itself catches an alert, a console error and a network request (negative control)', async () => {
      const file = join(dir, 'bad.html');
      writeFileSync(
        file,
        '<!doctype html><title>bad</title><img src="http://192.0.2.1/x.png"><script>console.error("boom"); alert("hi")</script>',
      );
      const opened = await browser.open(file);
      try {
        expect(opened.problems.dialogs).toEqual(['alert: hi']);
        expect(opened.problems.consoleErrors).toContain('boom');
        expect(opened.problems.blockedRequests).toEqual(['http://192.0.2.1/x.png']);
        expect(opened.failures().length).toBeGreaterThanOrEqual(3);
      } finally {
        await opened.close();
      }
    });
  },
);

describe('chromiumStatus', () => {
  it('skips with a reason when the browser is missing, and fails instead when CI is set', () => {
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      const status = chromiumStatus('/nonexistent/chromium');
      expect(status).toEqual({ available: false, reason: 'no Chromium at /nonexistent/chromium' });
      process.env.CI = 'true';
      expect(() => chromiumStatus('/nonexistent/chromium')).toThrow(/CI is set but Chromium cannot run/);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
