import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SER2NET, titled, toolStatus } from '../support/system-tools.ts';
import {
  killChildren,
  picogc,
  readJsonl,
  startPicogc,
  startSer2net,
  startSimPty,
  type SimBoard,
} from './support.ts';

/**
 * A remote board: Debian's real ser2net exports a `picogc sim --pty` as raw TCP on 127.0.0.1, and
 * picogc reaches it at tcp://127.0.0.1:PORT with the same REPL client as over the pty itself.
 */
const ser2net = toolStatus(SER2NET);

const dir = mkdtempSync(join(tmpdir(), 'picogc-ser2net-'));
const env = { PICOGC_LOCK_DIR: join(dir, 'locks') };
const SUITE = [
  '--quick',
  '-e',
  'alloc-sizes,pause-vs-live',
  '--set',
  'pause-vs-live.nLive=[0,1000]',
  '--no-history',
];
let board: SimBoard;

beforeAll(async () => {
  board = await startSimPty({ seed: 31, path: join(dir, 'pico') });
});
afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

interface ReportJson {
  verdict: string;
  exitCode: number;
  device: { description: string; uniqueId: string };
  experiments: {
    id: string;
    status: string;
    error?: string;
    checks: { id: string; status: string }[];
    metrics: { id: string; values: number[] }[];
  }[];
  recovery?: { rung: string; ok: boolean; detail: string }[];
}
const report = (out: string) =>
  JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as ReportJson;
const checks = (r: ReportJson) => r.experiments.flatMap((e) => e.checks.map((c) => `${c.id}:${c.status}`));
const figures = (r: ReportJson) =>
  Object.fromEntries(r.experiments.flatMap((e) => e.metrics.map((m) => [m.id, m.values] as const)));

describe.skipIf(!ser2net.available)(
  titled('a board exported by ser2net (raw TCP)', ser2net),
  { timeout: 120_000 },
  () => {
    it('runs over tcp:// with the same checks as over the pty', async () => {
      const exporter = await startSer2net(board.path);
      try {
        const overTcp = await picogc(
          ['run', '--port', `tcp://127.0.0.1:${exporter.port}`, ...SUITE, '--out', join(dir, 'tcp')],
          env,
        );
        expect(overTcp.code, overTcp.stderr).toBe(0);
        const tcp = report(join(dir, 'tcp'));
        expect(tcp.device.description).toBe(`tcp://127.0.0.1:${exporter.port}`);
        await exporter.stop(); // the pty is free again for a direct run

        const overPty = await picogc(['run', '--port', board.path, ...SUITE, '--out', join(dir, 'pty')], env);
        expect(overPty.code, overPty.stderr).toBe(0);
        const pty = report(join(dir, 'pty'));
        expect(pty.device.uniqueId).toBe(tcp.device.uniqueId); // one board, two ways in
        expect(checks(tcp)).toEqual(checks(pty));
        expect(checks(tcp).length).toBeGreaterThan(10);
      } finally {
        await exporter.stop();
      }
    });

    it('a connection dropped mid-run (ser2net stopped) ends in exit 3 with every completed sample on disk', async () => {
      const exporter = await startSer2net(board.path);
      const out = join(dir, 'dropped');
      const run = startPicogc(
        [
          'run',
          '--port',
          `tcp://127.0.0.1:${exporter.port}`,
          '--quick',
          '-e',
          'pause-vs-live',
          '--set',
          'pause-vs-live.reps=150',
          '--no-history',
          '--out',
          out,
        ],
        env,
      );
      const resultsFile = () => {
        const name = existsSync(out) ? readdirSync(out).find((n) => /^\d{8}T\d{6}Z-/.test(n)) : undefined;
        return name ? join(out, name, 'results.jsonl') : undefined;
      };
      const samples = () => {
        const file = resultsFile();
        return file && existsSync(file) ? readJsonl(file).filter((l) => l.type === 'sample').length : 0;
      };
      await expect.poll(samples, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(20);
      const seenBeforeStop = samples();
      await exporter.stop();

      const done = await run.done;
      expect(done.code, done.stderr).toBe(3);
      expect(done.stdout).toMatch(
        /pause-vs-live\n\s+fail\s+experiment ran to the end — LinkError: .*(closed|disconnect)/i,
      );
      // Every line of results.jsonl parses, and nothing measured before the drop is missing.
      const lines = readJsonl(resultsFile()!);
      expect(lines.filter((l) => l.type === 'sample').length).toBeGreaterThanOrEqual(seenBeforeStop);
      const r = report(out);
      expect(r.verdict).toBe('error');
      expect(r.experiments[0]!.status).toBe('failed');
      // The ladder had nobody to send Ctrl-C to and no power-cycle hook: logged, then given up.
      expect(r.recovery?.map((e) => `${e.rung}:${e.ok}`)).toEqual([
        'interrupt:false',
        'soft-reset:false',
        'give-up:false',
      ]);
      expect(r.recovery?.[0]!.detail).toBe('not tried: the link is closed');
    });
  },
);

/**
 * Issue 16 over a real remote link: the virtual Pico injects a fault on its side of the pty, ser2net
 * carries the damage to picogc over TCP, and the run still completes with the checks a clean link
 * gives.
 */
describe.skipIf(!ser2net.available)(
  titled('a faulty board exported by ser2net (raw TCP)', ser2net),
  { timeout: 240_000 },
  () => {
    let clean: ReportJson;
    beforeAll(async () => {
      const exporter = await startSer2net(board.path);
      try {
        const run = await picogc(
          ['run', '--port', `tcp://127.0.0.1:${exporter.port}`, ...SUITE, '--out', join(dir, 'clean')],
          env,
        );
        expect(run.code, run.stderr).toBe(0);
        clean = report(join(dir, 'clean'));
      } finally {
        await exporter.stop();
      }
    }, 120_000);

    it.each([
      // Damage that makes the host resend and resync may still move some pauses by a few tenths of
      // a µs (fault-matrix.test.ts): within 0.1%. A reset mid-run gives the clean run's figures.
      ['corrupt:0.0003', 'resend|ask-again|rerun-step', 1e-3],
      ['reset-mid-exec@20', 'reset-detected', 0],
    ] as const)(
      'under %s the run completes with the same checks and figures, its repairs listed',
      async (fault, rungs, near) => {
        const name = fault.replace(/\W/g, '-');
        const faulty = await startSimPty({ seed: 31, path: join(dir, name), faults: [fault] });
        const exporter = await startSer2net(faulty.path);
        try {
          const out = join(dir, `${name}-out`);
          const run = await picogc(
            ['run', '--port', `tcp://127.0.0.1:${exporter.port}`, ...SUITE, '--out', out],
            env,
          );
          expect(run.code, run.stderr).toBe(0);
          const r = report(out);
          expect(checks(r)).toEqual(checks(clean));
          const cleanFigures = figures(clean);
          const faultyFigures = figures(r);
          expect(Object.keys(faultyFigures)).toEqual(Object.keys(cleanFigures));
          for (const [id, values] of Object.entries(cleanFigures))
            values.forEach((v, i) =>
              expect(Math.abs(faultyFigures[id]![i]! - v), id).toBeLessThanOrEqual(near * Math.abs(v)),
            );
          expect(r.recovery?.length).toBeGreaterThan(0);
          for (const event of r.recovery ?? []) expect(event.rung).toMatch(new RegExp(`^(${rungs})$`));
        } finally {
          await exporter.stop();
          await faulty.stop();
        }
      },
    );
  },
);
