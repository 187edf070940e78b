import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, escapeHtml } from '../report/html.ts';
import type { HistoryRecord } from './schema.ts';
import { appendHistoryRecord } from './store.ts';
import { writeTrendPage } from './trend-page.ts';

const EVIL = '<img src=x onerror=alert(1)>';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-trend-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(i: number, median: number): HistoryRecord {
  return {
    schema: 'picogc.history/1',
    runId: `run-${i + 1}`,
    at: new Date(Date.UTC(2026, 4, i + 1, 2)).toISOString(),
    device: { id: 'e6614103e7452d2f', label: EVIL, firmware: i < 4 ? `v1 ${EVIL}` : 'v2' },
    metrics: { [`pause ${EVIL}`]: { median, low: median * 0.96, high: median * 1.04, n: 12, unit: 'µs' } },
    verdict: 'pass',
    reportDir: `runs/run-${i + 1}`,
  };
}

describe('writeTrendPage', () => {
  it('writes a self-contained page: charts, the step marked, device text escaped, links only to runs that exist', async () => {
    const history = join(dir, 'reports', 'history.jsonl');
    const medians = [69, 69, 77, 70, 140, 122, 102, 146];
    for (const [i, m] of medians.entries()) await appendHistoryRecord(history, record(i, m));
    await appendFile(history, '{"schema":"picogc.history/1","runId":'); // a crash mid-append
    for (const run of [1, 5]) {
      await mkdir(join(dir, 'reports', 'runs', `run-${run}`), { recursive: true });
      await writeFile(join(dir, 'reports', 'runs', `run-${run}`, 'index.html'), 'report');
    }

    const out = join(dir, 'site');
    const result = await writeTrendPage(history, out);
    expect(result.file).toBe(join(out, 'index.html'));
    expect(result.steps.map((s) => [s.run, s.runId, s.firmware])).toEqual([[5, 'run-5', 'v2']]);
    expect(result.warnings.map((w) => w.reason)).toEqual(['truncated-last-line']);

    const page = await readFile(result.file, 'utf8');
    expect(page).toContain(`content="${escapeHtml(CONTENT_SECURITY_POLICY)}"`);
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('+88% at run 5'); // the step's label on its chart and in the table
    expect(page).toMatch(/stroke-dasharray="5,3"/); // the dashed rule before run 5
    expect(page).toMatch(
      /1 lines of the history were skipped.*history\.jsonl:9: skipped \(truncated-last-line\)/s,
    );
    // Run 1 and run 5 still have their reports: their points (and the step row) link there; the
    // other points link nowhere (not even to "null").
    const links = [...page.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]);
    expect(new Set(links)).toEqual(
      new Set(['../reports/runs/run-1/index.html', '../reports/runs/run-5/index.html']),
    );
  });

  it('writes a page for an empty or missing history too', async () => {
    const result = await writeTrendPage(join(dir, 'none.jsonl'), dir, { fileName: 'trend.html' });
    expect(result.file).toBe(join(dir, 'trend.html'));
    expect(await readFile(result.file, 'utf8')).toContain('0 runs on 0 boards');
  });
});
