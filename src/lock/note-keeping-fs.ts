import fs, { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { holderIsDead, NOTE_FILE, readHolder, type LockHolder } from './holder-note.ts';

type Callback = (error: NodeJS.ErrnoException | null, value?: fs.Stats) => void;

/**
 * The fs proper-lockfile works through, so that the note lives and dies with the lock directory and a
 * holder found dead on this host is stale at once:
 * - `mkdir` writes the note into the lock it just made, in the same callback: written any later, it
 *   would change the directory's mtime after proper-lockfile stamped it, which reads as compromised;
 * - `stat` shows the lock of a dead holder as stale (mtime 0), so proper-lockfile's own takeover
 *   reclaims it without waiting `stale` ms;
 * - `rmdir` takes the note out first (release, takeover, proper-lockfile's exit handler), but only our
 *   own note or the one `stat` judged the lock by: a lock that changed hands in between is left alone
 *   (two processes reclaiming one dead lock cannot remove each other's fresh one).
 */
export function noteKeepingFs(ours: LockHolder) {
  let judged: string | undefined;
  const removeLock = (path: string) => {
    const note = readHolder(join(path, NOTE_FILE));
    if (note && note.nonce !== ours.nonce && note.nonce !== judged) {
      throw Object.assign(new Error(`${path} changed hands`), { code: 'ELOCKED' });
    }
    rmSync(join(path, NOTE_FILE), { force: true });
    fs.rmdirSync(path);
  };
  return {
    ...fs,
    mkdir: (path: string, callback: Callback) => {
      fs.mkdir(path, (error) => {
        if (error) return callback(error);
        try {
          writeFileSync(join(path, NOTE_FILE), `${JSON.stringify(ours)}\n`);
        } catch (writeError) {
          rmSync(path, { recursive: true, force: true });
          return callback(writeError as NodeJS.ErrnoException);
        }
        callback(null);
      });
    },
    stat: (path: string, callback: Callback) => {
      fs.stat(path, (error, stats) => {
        if (error) return callback(error);
        const note = readHolder(join(path, NOTE_FILE));
        judged = note?.nonce;
        callback(
          null,
          note && holderIsDead(note)
            ? Object.assign(Object.create(stats) as fs.Stats, { mtime: new Date(0) })
            : stats,
        );
      });
    },
    rmdir: (path: string, callback: Callback) => {
      try {
        removeLock(path);
      } catch (error) {
        return callback(error as NodeJS.ErrnoException);
      }
      callback(null);
    },
    rmdirSync: removeLock,
  };
}
