import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/history/store.ts';
import { XMLLINT, titled, toolStatus } from '../support/system-tools.ts';
import { killChildren, picogc, startSimPty, type SimBoard } from './support.ts';

/**
 * Two virtual Picos on two pseudo-terminals (`picogc sim --pty`, seeds 11 and 12, separate
 * processes), run in parallel by one `picogc nightly`, twice: the first night has nothing to compare
 * with, the second compares each board with its own first run.
 */
const XSD = fileURLToPath(new URL('../support/junit.xsd', import.meta.url));
const xmllint = toolStatus(XMLLINT);

const dir = mkdtempSync(join(tmpdir(), 'picogc-nightly-'));
const out = join(dir, 'reports');
const env = { PICOGC_LOCK_DIR: join(dir, 'locks') };
const SUITE = ['--quick', '-e', 'alloc-sizes,pause-vs-live', '--set', 'pause-vs-live.nLive=[0,1000]'];
let boards: SimBoard[];

beforeAll(async () => {
  boards = await Promise.all([
    startSimPty({ seed: 11, path: join(dir, 'pico-a') }),
    startSimPty({ seed: 12, path: join(dir, 'pico-b') }),
  ]);
});
afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

interface ReportJson {
  runId: string;
  startedAt: string;
  finishedAt: string;
  device: { description: string; uniqueId?: string };
  board: { id: string; label: string; port: string; uniqueId: string; lockKey: string };
}

describe('picogc nightly on a bench of two virtual Picos', { timeout: 120_000 }, () => {
  it('runs both boards at once, names each board in its report, keeps one history record per board', async () => {
    const night = await picogc(
      ['nightly', '--port', boards[0]!.path, '--port', boards[1]!.path, ...SUITE, '--out', out],
      env,
    );
    expect(night.code, night.stderr).toBe(0);
    // Progress lines are tagged with their board.
    expect(night.stderr).toContain(`[${boards[0]!.path}] pause-vs-live: done`);
    expect(night.stderr).toContain(`[${boards[1]!.path}] pause-vs-live: done`);

    const { records } = await readHistory(join(out, 'history.jsonl'));
    expect(records).toHaveLength(2);
    const reports = records.map(
      (r) => JSON.parse(readFileSync(join(out, r.reportDir!, 'report.json'), 'utf8')) as ReportJson,
    );
    for (const [i, report] of reports.entries()) {
      const record = records[i]!;
      expect(report.board.label).toBe(record.device.label);
      expect(report.board.port).toBe(report.device.description);
      expect(report.board.id).toBe(report.board.uniqueId);
      expect(record.device.id).toBe(report.device.uniqueId);
      expect(report.runId).toBe(`${report.runId.slice(0, 16)}-${report.board.id}`);
    }
    expect(new Set(reports.map((r) => r.board.label))).toEqual(new Set(boards.map((b) => b.path)));
    expect(new Set(reports.map((r) => r.board.id)).size).toBe(2); // two seeds, two identities
    // In parallel: each board's run started before the other's finished.
    const [a, b] = reports as [ReportJson, ReportJson];
    expect(Date.parse(a.startedAt)).toBeLessThan(Date.parse(b.finishedAt));
    expect(Date.parse(b.startedAt)).toBeLessThan(Date.parse(a.finishedAt));

    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# picogc nightly: PASS/);
    for (const board of reports) expect(summary).toContain(board.board.id);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, `latest-${a.board.id}`))).toBe(true);
  });

  const junit = join(dir, 'nightly.xml');
  it('compares each board with its own last good run on the next night', async () => {
    const first = (await readHistory(join(out, 'history.jsonl'))).records;
    const night = await picogc(
      [
        'nightly',
        '--port',
        boards[0]!.path,
        '--port',
        boards[1]!.path,
        ...SUITE,
        '--out',
        out,
        '--junit',
        junit,
        '--json',
      ],
      env,
    );
    expect([0, 1], night.stderr).toContain(night.code); // a pause check may fail on a loaded machine
    const result = JSON.parse(night.stdout) as {
      boards: { id: string; baseline?: { runId: string }; historyVerdict: string; regressions?: unknown[] }[];
    };
    for (const board of result.boards) {
      const before = first.find((r) => r.device.id === board.id)!;
      expect(board.baseline?.runId).toBe(before.runId);
      expect(board.regressions).toBeDefined();
    }
    const { records } = await readHistory(join(out, 'history.jsonl'));
    expect(records).toHaveLength(4);
    // Each board's second record carries the verdict it was given (records land as boards finish).
    const second = new Map(records.slice(2).map((r) => [r.device.id, r.verdict]));
    expect(result.boards.map((b) => second.get(b.id))).toEqual(result.boards.map((b) => b.historyVerdict));

    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('vs last good run');
  });

  it.skipIf(!xmllint.available)(
    titled("that night's JUnit is valid against the schema (xmllint)", xmllint),
    () => {
      const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, junit], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).toBe(0);
    },
  );
});
