import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { InputError, LinkError } from '../errors.ts';
import { describeHolder, holderNote, NOTE_FILE, readHolder, type LockHolder } from './holder-note.ts';
import { defaultLockDir, sanitiseKey } from './lock-key.ts';
import { noteKeepingFs } from './note-keeping-fs.ts';

/**
 * One picogc process per board, locked for as long as a run uses it. proper-lockfile does the
 * locking: the lock is the directory `<dir>/<key>.lock` (an atomic `mkdir`), which it keeps fresh
 * (`update`), takes over once unrefreshed for `stale` ms (or at once when its holder on this host is
 * dead: note-keeping-fs.ts), waits for (`retries`) and reports lost (`onCompromised`). Inside it,
 * `holder.json` says who holds the board (holder-note.ts), so a refusal can name the holder.
 */

/** How old an unrefreshed lock must be before anyone may take it (the holder refreshes every 5 s). */
export const DEFAULT_STALE_MS = 20_000;
const DEFAULT_POLL_MS = 250;

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

export interface AcquireBoardLockOptions {
  /** Keep trying this long before giving up with `BoardBusyError`; default 0 (one try). */
  waitSeconds?: number;
  /** Recorded in the holder note for whoever finds the board busy. */
  info?: { port?: string; command?: string };
  /** Default: $PICOGC_LOCK_DIR, else `<tmp>/picogc-locks`. */
  dir?: string;
  /** An unrefreshed lock older than this is stale; default 20 s, minimum 2 s (proper-lockfile's). */
  staleMs?: number;
  /** Pause between tries while waiting. */
  pollMs?: number;
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

export async function acquireBoardLock(
  key: string,
  options: AcquireBoardLockOptions = {},
): Promise<BoardLock> {
  const safeKey = sanitiseKey(key);
  const dir = options.dir ?? defaultLockDir();
  const waitSeconds = options.waitSeconds ?? 0;
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new InputError(`lock wait must be a number of seconds ≥ 0, not ${waitSeconds}`);
  }
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const lockPath = join(dir, `${safeKey}.lock`);
  mkdirSync(dir, { recursive: true });

  const holder = holderNote(options.info);
  const controller = new AbortController();
  let compromised: Error | undefined;
  let releasing = false;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(join(dir, safeKey), {
      realpath: false,
      lockfilePath: lockPath,
      stale: options.staleMs ?? DEFAULT_STALE_MS,
      update: 5_000, // proper-lockfile keeps it within [1 s, stale / 2]
      retries:
        waitSeconds > 0
          ? {
              retries: Math.ceil((waitSeconds * 1000) / pollMs),
              factor: 1,
              minTimeout: pollMs,
              maxTimeout: pollMs,
            }
          : 0,
      fs: noteKeepingFs(holder),
      onCompromised: (error) => {
        if (compromised || releasing) return;
        compromised = error;
        controller.abort(error);
        try {
          (options.onCompromised ?? warnCompromised(safeKey))(error);
        } catch {
          // A throwing callback would crash the process from proper-lockfile's timer.
        }
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
      throw new LinkError(`cannot lock board ${safeKey} in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw new BoardBusyError(safeKey, readHolder(join(lockPath, NOTE_FILE)), waitSeconds);
  }

  let released: Promise<void> | undefined;
  return {
    key: safeKey,
    dir,
    holder,
    signal: controller.signal,
    get compromised() {
      return compromised;
    },
    release: () =>
      (released ??= (async () => {
        releasing = true;
        if (compromised) return; // the lock now belongs to someone else, or to nobody
        await release().catch((error: NodeJS.ErrnoException) => {
          // ERELEASED: proper-lockfile gave it up already (compromised just now); ELOCKED: it was
          // taken over before proper-lockfile noticed, and the new holder's lock is left alone.
          if (error.code !== 'ERELEASED' && error.code !== 'ELOCKED') throw error;
        });
      })()),
  };
}

function warnCompromised(key: string): (error: Error) => void {
  return (error) => {
    process.stderr.write(`picogc: warning: lost the lock on board ${key}: ${error.message}\n`);
  };
}

/** Read who holds a board's lock, for `picogc` commands that only want to report it. */
export function readLockHolder(key: string, dir = defaultLockDir()): Promise<LockHolder | undefined> {
  return Promise.resolve(readHolder(join(dir, `${sanitiseKey(key)}.lock`, NOTE_FILE)));
}
