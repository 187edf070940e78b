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
import { recordSeries } from './history-series.ts';
import { picogc } from './support.ts';

/**
 * History from real runs: ten nights of two virtual Picos (history-series.ts), one of which runs
 * bytearray(52) instead of bytearray(48) from night 5 on (the injected slowdown), the other
 * unchanged. The work clock makes every night's pauses exact: the same work, the same figure, on
 * any host. So the change-point detection must name night 5 on the first board, with the nights'
 * own figures before and after, and find nothing anywhere else; the trend page must mark it and
 * open cleanly in a real browser. `PICOGC_UPDATE_DOCS=1` also saves its screenshot as docs/trend.png.
 */
const chromium = chromiumStatus();
const DOCS_PNG = fileURLToPath(new URL('../../docs/trend.png', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'picogc-history-trend-'));
const out = join(dir, 'reports');
const history = join(out, 'history.jsonl');
const SEEDS = { slow: 41, steady: 42 };
let trends: MetricTrend[];

beforeAll(async () => {
  await recordSeries({ history, outDir: out, nights: 10, slowFrom: 5, slowSize: 52, seeds: SEEDS });
  trends = historyTrends((await readHistory(history)).records);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trendOf = (seed: number, metric: string) =>
  trends.find((t) => t.deviceLabel === `virtual Pico seed ${seed}` && t.metric === metric)!;
const medians = (trend: MetricTrend) => trend.runs.map((r) => r.median);
const times = (n: number, value: number): number[] => Array.from({ length: n }, () => value);

describe('history of real runs with a slowdown from run 5', { timeout: 60_000 }, () => {
  it('every night of a configuration has the same pauses, on either board', () => {
    expect(trends).toHaveLength(4); // two boards × pause at 0 and 1000 live objects
    const slowed = medians(trendOf(SEEDS.slow, 'pause-vs-live/n=1000'));
    expect(slowed).toHaveLength(10);
    const [before, after] = [slowed[0]!, slowed[4]!];
    expect(slowed).toEqual([...times(4, before), ...times(6, after)]);
    expect(after).toBeGreaterThan(before);
    // Board "steady" ran bytearray(48) every night: the slowed board's figure before night 5.
    expect(medians(trendOf(SEEDS.steady, 'pause-vs-live/n=1000'))).toEqual(times(10, before));
    // No live set: the object's size changes nothing.
    const empty = medians(trendOf(SEEDS.steady, 'pause-vs-live/n=0'));
    expect(empty).toEqual(times(10, empty[0]!));
    expect(medians(trendOf(SEEDS.slow, 'pause-vs-live/n=0'))).toEqual(empty);
  });

  it('names run 5 and its firmware on the slowed board, and flags nothing on any unchanged series', async () => {
    const slowed = trendOf(SEEDS.slow, 'pause-vs-live/n=1000');
    const [before, after] = [slowed.runs[0]!.median, slowed.runs[4]!.median];
    expect(slowed.steps.map((s) => [s.run, s.firmware, s.direction])).toEqual([[5, 'v2-slower', 'up']]);
    const step = slowed.steps[0]!;
    expect(step.before).toBeCloseTo(before, 6);
    expect(step.after).toBeCloseTo(after, 6);
    expect(step.changePercent).toBeCloseTo(100 * (after / before - 1), 6);
    for (const [seed, metric] of [
      [SEEDS.steady, 'pause-vs-live/n=1000'],
      [SEEDS.steady, 'pause-vs-live/n=0'],
      [SEEDS.slow, 'pause-vs-live/n=0'],
    ] as const) {
      expect(trendOf(seed, metric).steps, `${seed} ${metric}`).toEqual([]);
    }

    const cli = await picogc(['history', '--history', history, '--metric', 'n=1000']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/step up at run 5 \(\S+, firmware v2-slower\): [\d.]+ → [\d.]+ µs \(\+\d+%\)/);
    expect(cli.stdout.match(/no step detected/g)).toHaveLength(1);
  });

  let page: Awaited<ReturnType<typeof writeTrendPage>> | undefined;
  it('the trend page marks the step, and links each point to its run', async () => {
    page = await writeTrendPage(history, join(dir, 'site'));
    expect(page.steps.map((s) => [s.metric, s.run])).toEqual([['pause-vs-live/n=1000', 5]]);
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
        expect(new Set(hrefs).size).toBe(20); // a run per board and night; its two metrics link to it
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
