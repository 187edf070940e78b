import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReports } from '../compare/compare-reports.ts';
import type { Report } from '../report/schema.ts';
import type { BoardTag } from '../report/board-tag.ts';
import type { BoardNightly } from './nightly-board.ts';
import { renderNightlyJUnit } from './nightly-junit.ts';
import { renderNightlySummary } from './nightly-summary.ts';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';
import { XMLLINT, titled, toolStatus } from '../../test/support/system-tools.ts';

const XSD = fileURLToPath(new URL('../../test/support/junit.xsd', import.meta.url));
const xmllint = toolStatus(XMLLINT);
const dir = mkdtempSync(join(tmpdir(), 'picogc-nightly-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVIL = '<img src=x onerror=alert(1)>|**\x04';

function report(runId: string, pauses: number[], label = 'v1.28.0'): Report & { board: BoardTag } {
  return {
    schema: 'picogc.report/1',
    tool: { name: 'picogc', version: '0.1.0' },
    runId,
    startedAt: '2026-05-01T02:00:00.000Z',
    finishedAt: '2026-05-01T02:03:00.000Z',
    host: { node: 'v20', platform: 'linux-x64', hostname: 'bench' },
    options: { profile: 'quick', experiments: ['pause-vs-live'], firmwareLabel: label },
    device: syntheticDevice('board', { description: EVIL, uniqueId: 'e6614103e7452d2f' }),
    experiments: [
      {
        id: 'pause-vs-live',
        title: 'Pause vs live objects',
        question: '?',
        params: {},
        status: 'completed',
        attempts: 1,
        startedAt: '2026-05-01T02:00:00.000Z',
        finishedAt: '2026-05-01T02:03:00.000Z',
        samples: [],
        log: [],
        summary: {},
        metrics: [
          { id: 'pause-vs-live/n=1000', title: 'pause', unit: 'µs', values: pauses, better: 'lower' },
        ],
        checks: [{ id: 'pause-vs-live/grows', title: `grows ${EVIL}`, status: 'fail', observed: EVIL }],
      },
    ],
    crossChecks: [],
    model: {},
    verdict: 'fail',
    exitCode: 1,
    board: { id: 'e6614103e7452d2f', label: EVIL, port: EVIL, uniqueId: 'e6614103e7452d2f' },
  };
}

const base = Array.from({ length: 12 }, (_, i) => 900 + (i % 4) * 5);
const slower = base.map((v) => v * 1.3);

function boards(): BoardNightly[] {
  const baseline = report('20260430T020000Z-e6614103e7452d2f', base);
  const current = report('20260501T020000Z-e6614103e7452d2f', slower, `v1.29.0 ${EVIL}`);
  return [
    {
      outcome: {
        target: { kind: 'serial', port: EVIL },
        label: EVIL,
        exitCode: 1,
        report: current,
        runDir: join(dir, current.runId),
        deviceId: 'e6614103e7452d2f',
      },
      baseline: { runId: baseline.runId, at: baseline.finishedAt, reportDir: join(dir, baseline.runId) },
      comparison: compareReports(baseline, current),
      historyVerdict: 'regression',
      exitCode: 1,
    },
    {
      outcome: {
        target: { kind: 'tcp', port: 'tcp://bench-2:4001' },
        label: 'tcp://bench-2:4001',
        exitCode: 3,
        error: `LinkError: connection refused ${EVIL}`,
      },
      exitCode: 3,
    },
  ];
}

describe('the nightly summary and JUnit', () => {
  it('summary.md: verdict, a row per board, the regression with its reason, device text escaped', () => {
    const md = renderNightlySummary(boards(), { exitCode: 3, outDir: dir });
    expect(md).toMatch(/^# picogc nightly: ERROR/);
    expect(md).toMatch(/\| regression \| 20260430T020000Z-e6614103e7452d2f \| 1 \|/);
    expect(md).toMatch(
      /\*\*Regression\*\* pause-vs-live\/n=1000: median \\\+30\.0% .*worse by more than 5% and significant/,
    );
    expect(md).toContain('**Failed:** LinkError: connection refused');
    expect(md).not.toMatch(/<img|\x04/);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;\\|\\*\\*\\\\x04');
  });

  it('junit.xml: a suite per board, the regression a failure, the dead board an error', () => {
    const xml = renderNightlyJUnit(boards());
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toMatch(
      /<testcase name="pause-vs-live\/n=1000 vs last good run" [^>]*>\s*<failure message="median \+30\.0%[^"]*" type="Regression">/,
    );
    expect(xml).toMatch(
      /<testcase name="board answered and ran the suite" classname="picogc.nightly.tcp:\/\/bench-2:4001"[^>]*>\s*<error /,
    );
    expect(xml).toContain('<property name="baseline.run" value="20260430T020000Z-e6614103e7452d2f"/>');
    expect(xml).not.toMatch(/<img|\x04/);
  });

  it.skipIf(!xmllint.available)(
    titled('junit.xml is valid against the JUnit schema (xmllint)', xmllint),
    () => {
      const file = join(dir, 'nightly.xml');
      writeFileSync(file, renderNightlyJUnit(boards()));
      const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).toBe(0);
    },
  );
});
