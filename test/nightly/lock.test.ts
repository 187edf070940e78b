import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKeyForTarget } from '../../src/boards/board-identity.ts';
import { readLockHolder } from '../../src/lock/board-lock.ts';
import { killChildren, picogc, readJsonl, startPicogc, startSimPty, type SimBoard } from './support.ts';

/**
 * One board, several picogc processes: the board's lock (keyed by its port, since a pty has no USB
 * serial) keeps them apart, says who holds it, lets a patient second run wait its turn, and does not
 * outlive a holder that was SIGKILLed.
 */
const dir = mkdtempSync(join(tmpdir(), 'picogc-lock-run-'));
const locks = join(dir, 'locks');
const env = { PICOGC_LOCK_DIR: locks };
/** A run long enough (several seconds) to be caught holding the board by two more processes. */
const LONG = ['--quick', '-e', 'alloc-sizes,pause-vs-live', '--set', 'pause-vs-live.reps=90', '--no-history'];
const SHORT = ['--quick', '-e', 'alloc-sizes', '--no-history'];
let board: SimBoard;
let key: string;

beforeAll(async () => {
  board = await startSimPty({ seed: 21, path: join(dir, 'pico') });
  key = lockKeyForTarget({ kind: 'serial', port: board.path })!;
});
afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once a process holds the board's lock, with its note. */
async function holder() {
  let found: Awaited<ReturnType<typeof readLockHolder>>;
  await expect
    .poll(async () => (found = await readLockHolder(key, locks)), { timeout: 20_000, interval: 50 })
    .toBeDefined();
  return found!;
}

interface ReportJson {
  startedAt: string;
  finishedAt: string;
  verdict: string;
}
/** Samples in the results.jsonl of the run under way in `out` (its run directory has no `latest` yet). */
function samplesSoFar(out: string): number {
  const run = existsSync(out) ? readdirSync(out).find((name) => /^\d{8}T\d{6}Z-/.test(name)) : undefined;
  if (!run || !existsSync(join(out, run, 'results.jsonl'))) return 0;
  return readJsonl(join(out, run, 'results.jsonl')).filter((l) => l.type === 'sample').length;
}

const reportOf = (out: string): ReportJson =>
  JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as ReportJson;

describe('board locks between picogc processes', { timeout: 120_000 }, () => {
  it('a second run on a busy board exits 3 naming the holder; with --lock-wait it runs after the first', async () => {
    const firstOut = join(dir, 'first');
    const first = startPicogc(['run', '--port', board.path, ...LONG, '--out', firstOut], env);
    const note = await holder();
    expect(note.pid).toBe(first.child.pid);

    // Both start while the first run holds the board.
    const patientOut = join(dir, 'patient');
    const patient = startPicogc(
      ['run', '--port', board.path, ...SHORT, '--lock-wait', '60', '--out', patientOut],
      env,
    );
    const busy = await picogc(['run', '--port', board.path, ...SHORT, '--out', join(dir, 'busy')], env);
    expect(first.child.exitCode).toBeNull(); // still running: the refusal was the lock's doing
    expect(busy.code).toBe(3);
    expect(busy.stderr).toContain(
      `picogc: BoardBusyError: board ${key} is busy: locked by pid ${first.child.pid} on host ${hostname()} since ${note.startedAt} running \`picogc run --port ${board.path}`,
    );
    expect(busy.stderr).toContain('use --lock-wait SECONDS to wait');

    const [firstDone, patientDone] = await Promise.all([first.done, patient.done]);
    expect(firstDone.code, firstDone.stderr).not.toBe(3);
    expect(patientDone.code, patientDone.stderr).toBe(0);
    // It waited: it touched the board only after the first run had finished with it.
    expect(Date.parse(reportOf(patientOut).startedAt)).toBeGreaterThanOrEqual(
      Date.parse(reportOf(firstOut).finishedAt),
    );
    expect(await readLockHolder(key, locks)).toBeUndefined(); // both released
  });

  it('a lock left by a SIGKILLed run is recovered at once, and the next run completes', async () => {
    const killedOut = join(dir, 'killed');
    const killed = startPicogc(['run', '--port', board.path, ...LONG, '--out', killedOut], env);
    await holder();
    // Wait until it is measuring, then kill it mid-run.
    await expect.poll(() => samplesSoFar(killedOut), { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    expect(existsSync(join(killedOut, 'latest'))).toBe(false); // it really died mid-run
    expect((await readLockHolder(key, locks))?.pid).toBe(killed.child.pid); // still there, dead holder

    const next = await picogc(['run', '--port', board.path, ...SHORT, '--out', join(dir, 'next')], env);
    expect(next.code, next.stderr).toBe(0);
    expect(reportOf(join(dir, 'next')).verdict).toBe('pass');
  });
});
