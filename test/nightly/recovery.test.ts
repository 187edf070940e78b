import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/history/store.ts';
import { killChildren, PICOGC, picogc, startSimPty } from './support.ts';

/**
 * A board that hangs part-way through a run: a `picogc sim --pty` with the fault `hang@12500`
 * stops answering for good in the middle of mark-overflow's last round (it has sent ~12.5 kB by
 * then; threshold ends at ~5.7 kB, mark-overflow at ~14 kB). The power-cycle hook is a real shell
 * script that does to the virtual Pico what uhubctl does to a real one.
 */
const HOOK = fileURLToPath(new URL('./restart-sim.sh', import.meta.url));
const SUITE = ['--quick', '-e', 'threshold,mark-overflow,float-churn', '--step-timeout', '2000'];
const HANG = 'hang@12500';
const dir = mkdtempSync(join(tmpdir(), 'picogc-recovery-'));
const env = { PICOGC_LOCK_DIR: join(dir, 'locks') };
/** Processes the hook started (the restarted virtual Picos), stopped by pid at the end. */
const pidFiles: string[] = [];

afterAll(async () => {
  await killChildren();
  for (const file of pidFiles) {
    try {
      process.kill(Number(readFileSync(file, 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

interface ReportJson {
  verdict: string;
  device: { uniqueId: string };
  board: { label: string };
  experiments: { id: string; status: string; error?: string }[];
  recovery?: { rung: string; ok: boolean; detail: string; experiment: string }[];
  notRun?: { experiments: string[]; reason: string };
}
const reportAt = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ReportJson;
const statuses = (r: ReportJson) => r.experiments.map((e) => `${e.id}:${e.status}`);

describe('recovering a hung board', { timeout: 150_000 }, () => {
  it('with --power-cycle: the hook runs, the board comes back, the remaining experiments complete', async () => {
    const path = join(dir, 'pico-hook');
    const board = await startSimPty({ seed: 3, path, faults: [HANG] });
    const pidFile = join(dir, 'hook-sim.pid');
    writeFileSync(pidFile, String(board.child.pid));
    pidFiles.push(pidFile);
    const out = join(dir, 'hook');

    const run = await picogc(
      ['run', '--port', path, ...SUITE, '--power-cycle', `sh ${HOOK} {port}`, '--out', out, '--no-history'],
      { ...env, SIM_PIDFILE: pidFile, SIM_SEED: '3', PICOGC_BIN: PICOGC },
    );
    // One experiment was lost to the hang: the run is incomplete (3), but it went on after it.
    expect(run.code, run.stderr).toBe(3);
    const report = reportAt(join(out, 'latest'));
    expect(statuses(report)).toEqual([
      'threshold:completed',
      'mark-overflow:failed',
      'float-churn:completed',
    ]);
    expect(report.notRun).toBeUndefined();
    expect(report.recovery?.map((e) => `${e.rung}:${e.ok}`)).toEqual([
      'interrupt:false',
      'soft-reset:false',
      'power-cycle:true',
      're-enumerate:true',
      'reconnect:true',
    ]);
    expect(report.recovery?.every((e) => e.experiment === 'mark-overflow')).toBe(true);
    const [, , cycle, , reconnect] = report.recovery!;
    expect(cycle!.detail).toContain(`\`sh ${HOOK} '${path}'\` exited 0`);
    expect(cycle!.detail).toContain(`power-cycling the virtual Pico on ${path} (pid ${board.child.pid})`);
    expect(reconnect!.detail).toContain(`unique id ${report.device.uniqueId} as before`);
    // The hook really replaced the board's process.
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(board.child.pid);
    expect(board.child.exitCode !== null || board.child.signalCode !== null).toBe(true);
    // Every rung is in results.jsonl as well, in order, between the failure and float-churn.
    const kinds = readFileSync(join(out, 'latest', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; experiment?: string });
    const rungAt = kinds.findIndex((k) => k.type === 'recovery');
    expect(kinds.slice(rungAt, rungAt + 5).every((k) => k.type === 'recovery')).toBe(true);
    expect(kinds.findIndex((k) => k.experiment === 'float-churn')).toBeGreaterThan(rungAt);
  });

  it('without a hook: the hung board is marked failed, the other board completes, exit 3', async () => {
    const [hung, healthy] = await Promise.all([
      startSimPty({ seed: 4, path: join(dir, 'pico-hung'), faults: [HANG] }),
      startSimPty({ seed: 5, path: join(dir, 'pico-ok') }),
    ]);
    const out = join(dir, 'nightly');
    const night = await picogc(
      ['nightly', '--port', hung.path, '--port', healthy.path, ...SUITE, '--out', out],
      env,
    );
    expect(night.code, night.stderr).toBe(3);

    const { records } = await readHistory(join(out, 'history.jsonl'));
    const byLabel = new Map(records.map((r) => [r.device.label, r]));
    const failed = reportAt(join(out, byLabel.get(hung.path)!.reportDir!));
    const completed = reportAt(join(out, byLabel.get(healthy.path)!.reportDir!));

    expect(statuses(failed)).toEqual(['threshold:completed', 'mark-overflow:failed']);
    expect(failed.notRun?.experiments).toEqual(['float-churn']);
    expect(failed.recovery?.map((e) => `${e.rung}:${e.ok}`)).toEqual([
      'interrupt:false',
      'soft-reset:false',
      'give-up:false',
    ]);
    expect(failed.recovery?.at(-1)?.detail).toBe('no --power-cycle command: the board is marked failed');
    expect(byLabel.get(hung.path)!.verdict).toBe('error');

    expect(statuses(completed)).toEqual([
      'threshold:completed',
      'mark-overflow:completed',
      'float-churn:completed',
    ]);
    expect(completed.recovery).toBeUndefined();
    expect(byLabel.get(healthy.path)!.verdict).not.toBe('error');

    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# picogc nightly: ERROR/);
    expect(summary).toContain('Not run:** float-churn');
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="board [^"]*pico-hung" tests="\d+" failures="\d+" errors="1"/);
  });
});
