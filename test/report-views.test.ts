import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { main } from '../src/cli/main.ts';
import { openDevice } from '../src/device/open.ts';
import { defineExperiment } from '../src/experiments/experiment.ts';
import { EXPERIMENTS } from '../src/experiments/index.ts';
import { reportSchema, type Report } from '../src/report/schema.ts';
import { workClockBlock, type CalibrationLike } from '../src/report/work-clock-block.ts';
import { runSession } from '../src/run/session.ts';
import { chromiumStatus, openFileInChromium, type OpenedPage } from './support/chromium.ts';
import { XMLLINT, titled, toolStatus } from './support/system-tools.ts';
import MarkdownIt from 'markdown-it';

/**
 * One quick run of the whole suite on the virtual Pico, in this process, plus one test-only
 * experiment whose device code prints an HTML payload: the four files a run writes, opened and
 * validated the way their readers would (Chromium, xmllint against the JUnit schema, a Markdown
 * table's structure), rebuilt byte for byte by `picogc report`, and compared with itself.
 */

const EVIL = '<img src=x onerror=alert(1)>';

/** Prints the payload as an ordinary (non-data) line, and repeats it in a check, as a device string would be. */
const deviceSays = defineExperiment({
  id: 'device-says',
  title: 'Device output',
  question: 'Is what the device prints shown as text?',
  scripts: [],
  paramsSchema: z.object({}),
  defaults: {},
  quick: {},
  sampleSchema: z.object({ line: z.string() }),
  totalSteps: () => 1,
  async run({ device, record, step, timeoutMs }) {
    const { stdout } = await device.exec(`print(${JSON.stringify(EVIL)})`, { timeoutMs });
    record({ line: stdout.trim() });
    step('printed');
  },
  analyse: ({ samples }) => ({
    summary: {},
    metrics: [],
    checks: [
      {
        id: 'device-says/echo',
        title: `the device said ${samples[0]?.line ?? ''}`,
        status: 'pass',
        observed: samples[0]?.line ?? '',
      },
    ],
  }),
});

const chromium = chromiumStatus();
const xmllint = toolStatus(XMLLINT);
const out = mkdtempSync(join(tmpdir(), 'picogc-views-'));
let runDir: string;
let report: Report;

beforeAll(async () => {
  const device = await openDevice({ device: 'sim' }, () => undefined);
  // The runner's progress lines go to stderr: keep the test output readable.
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const result = await runSession({
      device,
      experiments: [...EXPERIMENTS, deviceSays],
      profile: 'quick',
      outDir: out,
    });
    runDir = result.runDir;
    report = result.report;
  } finally {
    quiet.mockRestore();
    await device.close();
  }
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a run on the virtual Pico', () => {
  it('writes results.jsonl, report.json and the three views, and points latest at the run', () => {
    for (const file of ['results.jsonl', 'report.json', 'index.html', 'summary.md', 'junit.xml']) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
    }
    expect(join(out, readlinkSync(join(out, 'latest')))).toBe(runDir);
    expect(reportSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')))).toEqual(report);
    expect(report.experiments.map((e) => e.status)).not.toContain('failed');
    expect(report.experiments.find((e) => e.id === 'device-says')?.log).toEqual([EVIL]);
  });

  it("carries the work clock's calibration and its residuals, every configuration of the shipped file", () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../src/sim/work-clock.calibration.json', import.meta.url), 'utf8'),
    ) as CalibrationLike;
    expect(report.device.capabilities.collectTiming).toBe('work-clock');
    expect(report.workClock).toEqual(workClockBlock(shipped, 'shipped: src/sim/work-clock.calibration.json'));
    expect([report.workClock?.fitted.length, report.workClock?.setAside.length]).toEqual([29, 4]);
  });
});

describe.skipIf(!chromium.available)(
  `index.html in headless Chromium${chromium.available ? '' : ` (skipped: ${chromium.reason})`}`,
  () => {
    let opened: OpenedPage;
    beforeAll(async () => {
      opened = await openFileInChromium(join(runDir, 'index.html'));
    }, 60_000);
    afterAll(async () => opened?.close());

    it('loads with no console error, no request and no dialog', () => {
      expect(opened.failures()).toEqual([]);
    });

    it('shows at least four charts and the heap map as pictures', async () => {
      const { page } = opened;
      expect(await page.locator('figure.chart svg.marks').count()).toBeGreaterThanOrEqual(4);
      const heapMap = page.locator('figure.chart svg[role="img"][aria-label^="area 0"]');
      expect(await heapMap.count()).toBe(1);
      expect((await heapMap.boundingBox())?.height).toBeGreaterThan(100);
      for (const title of ['Pause vs live objects', 'Pause vs heap position', 'gc.threshold sawtooth']) {
        await expect(page.getByRole('heading', { name: title }).count()).resolves.toBe(1);
      }
    });

    it('shows the device payload as text: visible, no <img> element, nothing run', async () => {
      const { page } = opened;
      const output = page.locator('section.device-output pre');
      expect(await output.textContent()).toBe(EVIL);
      expect(await output.isVisible()).toBe(true);
      // In the verdict table too (a check's title and observation).
      expect(await page.getByText(`the device said ${EVIL}`).count()).toBe(1);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('[onerror]').count()).toBe(0);
      expect(opened.problems.dialogs).toEqual([]);
    });

    it("shows the work clock's residuals: a row per fitted configuration, one per set-aside one", async () => {
      const { page } = opened;
      const fitted = page.locator('section.work-clock table.residuals.fitted tbody tr');
      const aside = page.locator('section.work-clock table.residuals.set-aside tbody tr');
      expect(await fitted.count()).toBe(report.workClock!.fitted.length);
      expect(await aside.count()).toBe(report.workClock!.setAside.length);
      const first = report.workClock!.fitted[0]!;
      expect(await fitted.first().locator('td').allTextContents()).toEqual([
        first.config,
        `${Math.round(first.buildUs)} µs`,
        `${Math.round(first.fittedUs)} µs`,
        expect.stringMatching(/^[+-]?\d+\.\d%$/),
      ]);
      expect(await aside.first().isVisible()).toBe(true);
    });

    it('groups alloc-sizes passes into one row and keeps the other checks one per row', async () => {
      const { page } = opened;
      const rows = page.locator('table.verdicts tbody tr', { hasText: 'alloc-sizes' });
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('21 of 21 checks pass');
    });
  },
);

describe('junit.xml and summary.md', () => {
  it.skipIf(!xmllint.available)(
    titled('junit.xml validates against the JUnit schema (xmllint)', xmllint),
    () => {
      const r = spawnSync(
        'xmllint',
        ['--noout', '--schema', 'test/support/junit.xsd', join(runDir, 'junit.xml')],
        {
          encoding: 'utf8',
        },
      );
      expect(r.stderr.trim()).toBe(`${join(runDir, 'junit.xml')} validates`);
      expect(r.status).toBe(0);
      const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
      const checks = report.experiments.reduce((n, e) => n + e.checks.length, 0) + report.crossChecks.length;
      expect(xml.match(/<testcase /g)).toHaveLength(checks);
      expect(xml).not.toContain(EVIL);
      expect(xml).toContain('&lt;img src=x onerror=alert(1)&gt;');
    },
  );

  it('summary.md: a heading, and a table whose every row has the header’s column count', () => {
    const md = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toMatch(/^# picogc run \S+: (PASS|FAIL)$/);
    const table = md.split('\n').filter((line) => line.startsWith('|'));
    // Cells are split on pipes that are not escaped (a device string may hold `|`).
    const cells = (line: string) => line.replace(/\\\\/g, '').split(/(?<!\\)\|/).length - 2;
    expect(cells(table[0]!)).toBe(4);
    expect(table[1]).toBe('|---|---|---|---|');
    const checks = report.experiments.reduce((n, e) => n + e.checks.length, 0) + report.crossChecks.length;
    expect(table).toHaveLength(2 + checks);
    for (const row of table) expect(cells(row), row).toBe(4);
    // The payload is escaped for Markdown and for the HTML a renderer lets through.
    expect(md).not.toContain('<img');
    expect(md).toContain('the device said &lt;img src=x onerror=alert\\(1\\)&gt;');
  });
});

describe('summary.md in a Markdown renderer (markdown-it, CommonMark + GFM tables)', () => {
  it('renders a heading and one table with a row of four cells per check, and the payload as text', () => {
    const html = new MarkdownIt().render(readFileSync(join(runDir, 'summary.md'), 'utf8'));
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<table>/g)).toHaveLength(1);
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    const rows = body.split('<tr>').slice(1);
    const checks = report.experiments.reduce((n, e) => n + e.checks.length, 0) + report.crossChecks.length;
    expect(rows).toHaveLength(checks);
    for (const row of rows) expect(row.match(/<td>/g), row).toHaveLength(4);
    expect(html).not.toMatch(/<img/i);
    // Shown as the text `<img …>`: an entity in the HTML, never an element.
    expect(html).toContain('the device said &lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('picogc report and compare on the run', () => {
  it('report RUN_DIR rebuilds byte-identical views from report.json', async () => {
    const views = ['index.html', 'summary.md', 'junit.xml'];
    const before = views.map((f) => readFileSync(join(runDir, f)));
    // What the rebuild must give back includes the work clock's residuals.
    expect(before[0]!.toString()).toContain('<section class="card work-clock">');
    expect(before[1]!.toString()).toContain('## Work clock calibration');
    for (const f of views) writeFileSync(join(runDir, f), 'stale');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['report', runDir]);
    stdout.mockRestore();
    expect(code).toBe(0);
    views.forEach((f, i) => expect(readFileSync(join(runDir, f)).equals(before[i]!), f).toBe(true));
  }, 30_000);

  it('report refuses a report.json of an unknown schema version, exit 2, one line', async () => {
    const dir = mkdtempSync(join(out, 'future-'));
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...report, schema: 'picogc.report/9' }));
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const code = await main(['report', dir]);
    spy.mockRestore();
    expect(code).toBe(2);
    expect(stderr).toMatch(/^picogc: UnknownSchemaError: .*has report schema picogc\.report\/9; .*\n$/);
    expect(existsSync(join(dir, 'index.html'))).toBe(false);
  });

  it('compare of the run against itself exits 0 with no regression', async () => {
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    const code = await main(['compare', runDir, join(runDir, 'report.json')]);
    spy.mockRestore();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^verdict: no regression in \d+ shared metrics$/m);
  });
});
