import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkError } from '../errors.ts';
import { BoardBusyError, acquireBoardLock, readLockHolder, type BoardLock } from './board-lock.ts';

const FIXTURE = fileURLToPath(new URL('./hold-lock.fixture.ts', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
const locks: BoardLock[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-lock-test-'));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const lock of locks.splice(0)) await lock.release();
  await rm(dir, { recursive: true, force: true });
});

async function acquire(
  key: string,
  options: Parameters<typeof acquireBoardLock>[1] = {},
): Promise<BoardLock> {
  const lock = await acquireBoardLock(key, { dir, ...options });
  locks.push(lock);
  return lock;
}

async function busyError(
  key: string,
  options: Parameters<typeof acquireBoardLock>[1] = {},
): Promise<BoardBusyError> {
  const error = await acquire(key, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BoardBusyError);
  expect(error).toBeInstanceOf(LinkError);
  expect((error as BoardBusyError).exitCode).toBe(3);
  return error as BoardBusyError;
}

interface Holder {
  child: ChildProcess;
  pid: number;
  nextLine(): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A real second process holding the lock, started through tsx like picogc itself. */
async function spawnHolder(key: string): Promise<Holder> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, key, dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const result = await Promise.race([
      lines.next(),
      exited.then(({ code }) => {
        throw new Error(`holder exited (${code}) before answering: ${stderr}`);
      }),
    ]);
    return result.done ? '' : String(result.value);
  };
  const first = await nextLine();
  expect(first).toBe(`locked ${child.pid}`);
  return { child, pid: child.pid!, nextLine, exited };
}

describe('acquireBoardLock in one process', () => {
  it('refuses a second holder, naming the first; release is idempotent and frees the board', async () => {
    const first = await acquire('board-1', { info: { port: '/dev/ttyACM0', command: 'picogc run' } });
    expect(first.holder).toMatchObject({
      pid: process.pid,
      host: hostname(),
      port: '/dev/ttyACM0',
      command: 'picogc run',
    });
    expect(await readLockHolder('board-1', dir)).toEqual(first.holder);

    const error = await busyError('board-1');
    expect(error.holder).toEqual(first.holder);
    expect(error.message).toContain(
      `pid ${process.pid} on host ${hostname()} since ${first.holder.startedAt}`,
    );
    expect(error.message).toContain('running `picogc run` on /dev/ttyACM0');

    await first.release();
    await first.release();
    expect(await readLockHolder('board-1', dir)).toBeUndefined();
    const second = await acquire('board-1');
    expect(second.holder.nonce).not.toBe(first.holder.nonce);
  });

  it('keeps boards apart: two keys, two locks', async () => {
    await acquire('board-a');
    await expect(acquire('board-b')).resolves.toMatchObject({ key: 'board-b' });
  });

  it('reports a lock whose holder has not written its note as busy, without inventing a holder', async () => {
    await mkdir(join(dir, 'board-x.lock'));
    const error = await busyError('board-x');
    expect(error.holder).toBeUndefined();
    expect(error.message).toContain('has not written its details');
  });

  it('takes over a lock whose mtime went stale (a holder on another host that stopped refreshing)', async () => {
    const lockDir = join(dir, 'board-s.lock');
    await mkdir(lockDir);
    const note = { pid: 4242, host: 'bench-2', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'n1' };
    await writeFile(join(lockDir, 'holder.json'), JSON.stringify(note));

    const fresh = await busyError('board-s', { staleMs: 2000 });
    expect(fresh.message).toContain('pid 4242 on host bench-2 since 2026-01-01T00:00:00.000Z');

    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    const lock = await acquire('board-s', { staleMs: 2000 });
    expect(lock.holder.pid).toBe(process.pid);
  });

  it('survives a compromised lock: no crash, the callback runs once and the signal aborts', async () => {
    const onCompromised = vi.fn();
    const lock = await acquire('board-c', { staleMs: 2000, onCompromised });
    await rm(join(dir, 'board-c.lock'), { recursive: true }); // someone deleted the lock under us
    await vi.waitFor(() => expect(lock.signal.aborted).toBe(true), { timeout: 8000, interval: 50 });
    expect(onCompromised).toHaveBeenCalledTimes(1);
    expect(lock.compromised).toBeInstanceOf(Error);
    await expect(lock.release()).resolves.toBeUndefined();
  });
  it('on release, leaves alone a lock that changed hands before proper-lockfile noticed', async () => {
    const lock = await acquire('board-h', { onCompromised: () => undefined });
    const other = { pid: 4242, host: 'bench-2', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'n2' };
    await writeFile(join(dir, 'board-h.lock', 'holder.json'), JSON.stringify(other));
    await expect(lock.release()).resolves.toBeUndefined();
    expect(await readLockHolder('board-h', dir)).toEqual(other);
  });
});

describe('acquireBoardLock against another process', () => {
  it('fails at once naming the holding process: pid, host, start time', async () => {
    const holder = await spawnHolder('board-p');
    const error = await busyError('board-p');
    expect(error.holder).toMatchObject({ pid: holder.pid, host: hostname(), command: 'hold-lock fixture' });
    expect(error.message).toMatch(
      new RegExp(`locked by pid ${holder.pid} on host .+ since \\d{4}-\\d\\d-\\d\\dT`),
    );
    expect(error.message).toContain('--lock-wait');
  });

  it.each([
    ['exits (lock released by its exit handler)', 'exit'],
    ['releases it', 'release'],
  ])('with waitSeconds, gets the board once the holder %s', async (_label, word) => {
    const holder = await spawnHolder(`board-w-${word}`);
    const order: string[] = [];
    const waiting = acquire(`board-w-${word}`, { waitSeconds: 20, pollMs: 50 }).then((lock) => {
      order.push('acquired');
      return lock;
    });
    // The waiter must still be waiting while the holder keeps the board: it has polled several times.
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push(`holder told to ${word}`);
    holder.child.stdin!.write(`${word}\n`);
    const lock = await waiting;
    expect(order).toEqual([`holder told to ${word}`, 'acquired']);
    expect(lock.holder.pid).toBe(process.pid);
    expect((await holder.exited).code).toBe(0);
  });

  it('gives up after waitSeconds while the holder keeps the board, and says it waited', async () => {
    await spawnHolder('board-t');
    const error = await busyError('board-t', { waitSeconds: 0.5, pollMs: 50 });
    expect(error.waitedSeconds).toBe(0.5);
    expect(error.message).toContain('waited 0.5 s');
  });

  it('recovers the lock of a holder killed with SIGKILL, at once', async () => {
    const holder = await spawnHolder('board-k');
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The killed process could not clean up: its lock and note are still there.
    expect(existsSync(join(dir, 'board-k.lock'))).toBe(true);
    expect((await readLockHolder('board-k', dir))?.pid).toBe(holder.pid);

    const lock = await acquire('board-k'); // waitSeconds 0: recovery does not wait for the stale time
    expect(lock.holder.pid).toBe(process.pid);
    expect((await readLockHolder('board-k', dir))?.nonce).toBe(lock.holder.nonce);
  });

  it('while waiting, reclaims at once the lock of a holder killed meanwhile', async () => {
    const holder = await spawnHolder('board-kw');
    const waiting = acquire('board-kw', { waitSeconds: 20, pollMs: 50 });
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    expect((await waiting).holder.pid).toBe(process.pid);
    // Long before the lock could have gone stale (20 s unrefreshed).
    expect(Date.now() - killedAt).toBeLessThan(10_000);
  });

  it.each([
    ['exits without releasing', 'exit', 0],
    ['dies of an uncaught exception', 'crash', 1],
  ])('releases on the exit path when the holder %s', async (_label, word, code) => {
    const holder = await spawnHolder(`board-${word}`);
    holder.child.stdin!.write(`${word}\n`);
    expect((await holder.exited).code).toBe(code);
    expect(existsSync(join(dir, `board-${word}.lock`))).toBe(false);
  });

  it('releases on SIGTERM', async () => {
    const holder = await spawnHolder('board-term');
    holder.child.kill('SIGTERM');
    expect((await holder.exited).signal).toBe('SIGTERM');
    expect(existsSync(join(dir, 'board-term.lock'))).toBe(false);
  });
});
