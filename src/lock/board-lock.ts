import { createHash, randomUUID } from 'node:crypto';
import fs, { mkdirSync } from 'node:fs';
import { mkdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { InputError, LinkError } from '../errors.ts';

/**
 * One picogc process per board. A board is locked for as long as a run uses it, with proper-lockfile
 * (an atomic `mkdir` plus an mtime it keeps fresh, so a lock whose holder vanished goes stale). The
 * holder leaves a small JSON note — pid, host, start time, port, command — so a second process can say
 * who has the board instead of just "busy", and can tell at once that the holder was killed.
 *
 * Layout in the lock directory, for key K:
 *   K.lock/              the lock (proper-lockfile's directory)
 *   K.lock/holder.json   the holder's note, written inside the lock the moment it is created, so a
 *                        note always belongs to the lock it sits in (a note beside the lock could be a
 *                        dead holder's, read while a new holder is still writing its own)
 *   K.recover.lock/      held briefly while a lock left by a dead process is removed
 *
 * proper-lockfile is given a file-system wrapper that writes the note in its `mkdir` and removes it in
 * its `rmdir`, so every path it takes — release, stale takeover, its exit handler — handles the note.
 */

export const LOCK_DIR_ENV = 'PICOGC_LOCK_DIR';

/** How old an unrefreshed lock must be before anyone may take it (the holder refreshes every 5 s). */
export const DEFAULT_STALE_MS = 20_000;
const DEFAULT_POLL_MS = 250;
/** A recovery that has not finished in this long was itself interrupted. */
const RECOVER_STALE_MS = 10_000;

export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[LOCK_DIR_ENV];
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(tmpdir(), 'picogc-locks');
}

/** What is known about a board when it is locked; the best available identity becomes the key. */
export interface BoardIdentity {
  /** `machine.unique_id()` as hex. */
  uniqueId?: string;
  /** The USB serial number the port enumerates with. */
  usbSerial?: string;
  /** The port path or URL. */
  port?: string;
}

/**
 * The lock key for a board: its identity when known, else its port. MicroPython's rp2 port uses the
 * flash unique id, in hex, as the USB serial number, so `uniqueId` and `usbSerial` of one Pico give the
 * same key (hex is compared case-insensitively): a run that knows only the serial from enumeration and
 * one that read `unique_id()` over the REPL contend for the same lock.
 */
export function boardLockKey(identity: BoardIdentity): string {
  const id = identity.uniqueId ?? identity.usbSerial;
  if (id !== undefined && id.trim() !== '') {
    const trimmed = id.trim();
    return /^[0-9a-fA-F]+$/.test(trimmed)
      ? `board-${trimmed.toLowerCase()}`
      : sanitiseKey(`serial-${trimmed}`);
  }
  if (identity.port !== undefined && identity.port.trim() !== '')
    return sanitiseKey(`port-${identity.port.trim()}`);
  throw new InputError('a board lock needs a unique id, a USB serial number or a port');
}

/**
 * A key as a portable file name: anything but letters, digits, `.`, `_`, `-` becomes `_`. When that
 * changed the key, a short hash of the original keeps `/dev/tty.a` and `/dev/tty_a` apart.
 */
export function sanitiseKey(key: string): string {
  const safe = key
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  if (safe === key) return safe;
  return `${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly startedAt: string;
  readonly port?: string;
  readonly command?: string;
  /** Tells two holders with the same pid apart (pid reuse, or two locks in one process). */
  readonly nonce: string;
}

/** Someone else has the board. Exit code 3, like any board that cannot be reached. */
export class BoardBusyError extends LinkError {
  constructor(
    readonly key: string,
    readonly holder: LockHolder | undefined,
    readonly waitedSeconds: number,
  ) {
    super(
      `board ${key} is busy: ${describeHolder(holder)}` +
        (waitedSeconds > 0
          ? `; waited ${waitedSeconds} s (--lock-wait)`
          : '; use --lock-wait SECONDS to wait'),
    );
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'locked by a process that has not written its details yet';
  const what = holder.command ? ` running \`${holder.command}\`` : '';
  const port = holder.port ? ` on ${holder.port}` : '';
  return `locked by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}${what}${port}`;
}

export interface AcquireBoardLockOptions {
  /** Keep trying this long before giving up with `BoardBusyError`; default 0 (one try). */
  waitSeconds?: number;
  /** Recorded in the holder note for whoever finds the board busy. */
  info?: { port?: string; command?: string };
  /** Default: $PICOGC_LOCK_DIR, else `<tmp>/picogc-locks`. */
  dir?: string;
  /** An unrefreshed lock older than this is stale; default 20 s, minimum 2 s (proper-lockfile's). */
  staleMs?: number;
  pollMs?: number;
  clock?: Clock;
  /**
   * Called once if the lock is lost while held (its directory removed or taken over, e.g. after the
   * machine slept past the stale time). Default: one warning line on stderr. It never throws into
   * proper-lockfile's timer; `BoardLock.signal` aborts as well, for the run to stop.
   */
  onCompromised?: (error: Error) => void;
}

export interface BoardLock {
  readonly key: string;
  readonly dir: string;
  readonly holder: LockHolder;
  /** Aborted when the lock is compromised; a run should stop using the board. */
  readonly signal: AbortSignal;
  readonly compromised: Error | undefined;
  /** Release the lock; calling it again does nothing. */
  release(): Promise<void>;
}

const NOTE = 'holder.json';

interface Paths {
  target: string;
  lock: string;
  holder: string;
  recover: string;
}

function pathsFor(dir: string, key: string): Paths {
  const target = join(dir, key);
  return {
    target,
    lock: `${target}.lock`,
    holder: join(`${target}.lock`, NOTE),
    recover: `${target}.recover.lock`,
  };
}

type Callback = (error: NodeJS.ErrnoException | null) => void;

/**
 * The `fs` proper-lockfile uses, with the note tied to the lock directory: written (synchronously, in
 * the same tick as the `mkdir`, before proper-lockfile stamps the directory's mtime) when the lock is
 * created, removed before any `rmdir` of a lock directory.
 */
function noteKeepingFs(lockPath: string, note: () => LockHolder) {
  const removeNote = (dir: string) => {
    try {
      fs.unlinkSync(join(dir, NOTE));
    } catch {
      // No note (its holder died before writing it): the directory is empty already.
    }
  };
  return {
    mkdir(path: string, callback: Callback) {
      fs.mkdir(path, (error) => {
        if (error || path !== lockPath) return callback(error);
        try {
          fs.writeFileSync(join(path, NOTE), `${JSON.stringify(note())}\n`);
        } catch (writeError) {
          removeNote(path);
          fs.rmdir(path, () => callback(writeError as NodeJS.ErrnoException));
          return;
        }
        callback(null);
      });
    },
    rmdir(path: string, callback: Callback) {
      removeNote(path);
      fs.rmdir(path, callback);
    },
    rmdirSync(path: string) {
      removeNote(path);
      fs.rmdirSync(path);
    },
    stat: fs.stat,
    utimes: fs.utimes,
    realpath: fs.realpath,
  };
}

export async function acquireBoardLock(
  key: string,
  options: AcquireBoardLockOptions = {},
): Promise<BoardLock> {
  const safeKey = sanitiseKey(key);
  const dir = options.dir ?? defaultLockDir();
  const clock = options.clock ?? systemClock;
  const waitSeconds = options.waitSeconds ?? 0;
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new InputError(`lock wait must be a number of seconds ≥ 0, not ${waitSeconds}`);
  }
  const staleMs = Math.max(options.staleMs ?? DEFAULT_STALE_MS, 2000);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const paths = pathsFor(dir, safeKey);
  mkdirSync(dir, { recursive: true });

  const deadline = clock.now() + waitSeconds * 1000;
  for (;;) {
    const attempt = await tryLock(paths, safeKey, dir, staleMs, options);
    if (attempt.lock) return attempt.lock;
    const holder = attempt.holder;
    if (holder && holderIsDead(holder)) {
      await removeDeadLock(paths, holder);
      continue;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) throw new BoardBusyError(safeKey, holder, waitSeconds);
    await sleep(Math.min(pollMs, remaining), clock);
  }
}

async function tryLock(
  paths: Paths,
  key: string,
  dir: string,
  staleMs: number,
  options: AcquireBoardLockOptions,
): Promise<{ lock: BoardLock; holder?: undefined } | { lock?: undefined; holder: LockHolder | undefined }> {
  const controller = new AbortController();
  let compromised: Error | undefined;
  let releasing = false;
  const onCompromised = (error: Error) => {
    if (compromised || releasing) return;
    compromised = error;
    controller.abort(error);
    try {
      (options.onCompromised ?? warnCompromised(key))(error);
    } catch {
      // A throwing callback would crash the process from proper-lockfile's timer.
    }
  };
  let holder: LockHolder | undefined;
  const note = (): LockHolder =>
    (holder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      ...(options.info?.port === undefined ? {} : { port: options.info.port }),
      ...(options.info?.command === undefined ? {} : { command: options.info.command }),
      nonce: randomUUID(),
    });

  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockfile.lock(paths.target, {
      realpath: false,
      lockfilePath: paths.lock,
      stale: staleMs,
      update: Math.min(5000, staleMs / 2),
      retries: 0,
      fs: noteKeepingFs(paths.lock, note),
      onCompromised,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
      throw new LinkError(`cannot lock board ${key} in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { holder: await readHolder(paths.holder) };
  }

  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    released ??= (async () => {
      releasing = true;
      if (compromised) return; // the lock now belongs to someone else, or to nobody
      await releaseLock().catch((error: NodeJS.ErrnoException) => {
        // ERELEASED: proper-lockfile gave it up already (compromised just now).
        if (error.code !== 'ERELEASED') throw error;
      });
    })();
    return released;
  };

  return {
    lock: {
      key,
      dir,
      holder: holder!,
      signal: controller.signal,
      get compromised() {
        return compromised;
      },
      release,
    },
  };
}

function warnCompromised(key: string): (error: Error) => void {
  return (error) => {
    process.stderr.write(`picogc: warning: lost the lock on board ${key}: ${error.message}\n`);
  };
}

/** The note of whoever holds the lock, if it can be read; the file is data, checked field by field. */
export async function readHolder(path: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { pid, host, startedAt, port, command, nonce } = value;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
    if (typeof host !== 'string' || typeof startedAt !== 'string' || typeof nonce !== 'string')
      return undefined;
    return {
      pid: pid as number,
      host,
      startedAt,
      ...(typeof port === 'string' ? { port } : {}),
      ...(typeof command === 'string' ? { command } : {}),
      nonce,
    };
  } catch {
    return undefined;
  }
}

/** Read who holds a board's lock, for `picogc` commands that only want to report it. */
export async function readLockHolder(key: string, dir = defaultLockDir()): Promise<LockHolder | undefined> {
  return readHolder(pathsFor(dir, sanitiseKey(key)).holder);
}

/** A holder on this host whose process no longer exists. Other hosts' pids cannot be checked. */
function holderIsDead(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Remove the lock of a holder found dead, under a short recovery lock so two processes recovering
 * at once cannot remove each other's fresh lock. After taking the recovery lock the note is read again:
 * if it changed, someone else already recovered and holds the board now.
 */
async function removeDeadLock(paths: Paths, dead: LockHolder): Promise<void> {
  try {
    await mkdir(paths.recover);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(paths.recover).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > RECOVER_STALE_MS)
      await rmdir(paths.recover).catch(() => undefined);
    await sleep(20);
    return; // someone else is recovering; the caller tries again
  }
  try {
    const again = await readHolder(paths.holder);
    if (again?.nonce !== dead.nonce) return;
    await unlink(paths.holder).catch(() => undefined);
    await rmdir(paths.lock).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  } finally {
    await rmdir(paths.recover).catch(() => undefined);
  }
}
