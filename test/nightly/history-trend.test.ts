import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/history/store.ts';
import { writeTrendPage } from '../../src/history/trend-page.ts';
import { historyTrends, type MetricTrend } from '../../src/history/trends.ts';
import { chromiumStatus, openFileInChromium } from '../support/chromium.ts';
import { titled } from '../support/system-tools.ts';
import { recordResampledSeries } from './history-series.ts';
import { picogc } from './support.ts';

/**
 * History from real runs: ten nights of two virtual Picos, one of which runs a larger live set from
 * night 5 on (the injected slowdown), the other unchanged. Each night is a resample of the
 * repetitions of a real run (history-series.ts says why: the host's own load shifts are kept out of a
 * test that must not flake; measure-false-alarms.ts measures with them). The change-point detection
 * must name night 5 on the first board and find nothing on the second; the trend page must mark it
 * and open cleanly in a real browser. `PICOGC_UPDATE_DOCS=1` also saves its screenshot as
 * docs/trend.png.
 */
const chromium = chromiumStatus();
const DOCS_PNG = fileURLToPath(new URL('../../docs/trend.png', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'picogc-history-trend-'));
const out = join(dir, 'reports');
const history = join(out, 'history.jsonl');
const SEEDS = { slow: 41, steady: 42 };
let trends: MetricTrend[];

beforeAll(async () => {
  await recordResampledSeries({ history, outDir: out, nights: 10, slowFrom: 5, seeds: SEEDS });
  trends = historyTrends((await readHistory(history)).records);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trendOf = (seed: number, metric: string) =>
  trends.find((t) => t.deviceLabel === `virtual Pico seed ${seed}` && t.metric === metric)!;

describe('history of real runs with a slowdown from run 5', { timeout: 60_000 }, () => {
  it('names run 5 and its firmware on the slowed board, and flags nothing on the unchanged one', async () => {
    expect(trends).toHaveLength(4); // two boards × pause at 0 and 1000 live objects
    const slowed = trendOf(SEEDS.slow, 'pause-vs-live/n=1000');
    expect(slowed.runs).toHaveLength(10);
    const medians = `nightly medians ${slowed.runs.map((r) => Math.round(r.median)).join(' ')}, noise ${slowed.noise.toFixed(1)}${slowed.noiseUnit}`;
    expect(
      slowed.steps.map((s) => [s.run, s.firmware, s.direction]),
      medians,
    ).toEqual([[5, 'v2-slower', 'up']]);
    expect(slowed.steps[0]!.changePercent).toBeGreaterThan(50);
    // Ten runs without a change: nothing flagged, on any metric.
    expect(trendOf(SEEDS.steady, 'pause-vs-live/n=1000').steps).toEqual([]);
    expect(trendOf(SEEDS.steady, 'pause-vs-live/n=0').steps).toEqual([]);

    const cli = await picogc(['history', '--history', history, '--metric', 'n=1000']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/step up at run 5 \(\S+, firmware v2-slower\): [\d.]+ → [\d.]+ µs \(\+\d+%\)/);
    expect(cli.stdout.match(/no step detected/g)).toHaveLength(1);
  });

  let page: Awaited<ReturnType<typeof writeTrendPage>> | undefined;
  it('the trend page marks the step, and links each point to its run', async () => {
    page = await writeTrendPage(history, join(dir, 'site'));
    // The slowed board's n=1000 step (its n=0 pauses come from two runs too, and may differ).
    expect(page.steps.filter((s) => s.metric === 'pause-vs-live/n=1000').map((s) => s.run)).toEqual([5]);
    const text = readFileSync(page.file, 'utf8');
    expect(text).toMatch(/\+\d+% at run 5/);
  });

  it.skipIf(!chromium.available)(
    titled('the trend page opens in Chromium without errors', chromium),
    async () => {
      if (!page) throw new Error('the trend page was not written (see the test before)');
      const opened = await openFileInChromium(page.file, { viewport: { width: 1280, height: 900 } });
      try {
        expect(opened.failures()).toEqual([]);
        expect(await opened.page.locator('figure.chart svg').count()).toBe(4);
        // Every point links to a run report that exists.
        const hrefs: string[] = [];
        for (const link of await opened.page.locator('figure.chart svg a').all()) {
          hrefs.push((await link.getAttribute('xlink:href')) ?? '');
        }
        expect(hrefs).toHaveLength(40); // every night of every chart, each linking to its real run
        for (const href of new Set(hrefs))
          expect(existsSync(resolve(dirname(page.file), decodeURI(href)))).toBe(true);
        const png = await opened.screenshot(join(dir, 'trend.png'));
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        if (process.env.PICOGC_UPDATE_DOCS === '1') copyFileSync(join(dir, 'trend.png'), DOCS_PNG);
      } finally {
        await opened.close();
      }
    },
  );
});
