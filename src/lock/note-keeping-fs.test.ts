import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderNote, NOTE_FILE, readHolder } from './holder-note.ts';
import { noteKeepingFs } from './note-keeping-fs.ts';

let lockDir: string;
beforeEach(() => {
  lockDir = join(mkdtempSync(join(tmpdir(), 'picogc-note-fs-')), 'board.lock');
  mkdirSync(lockDir);
});
afterEach(() => {
  rmSync(join(lockDir, '..'), { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
const note = (pid: number, nonce: string) => ({
  pid,
  host: hostname(),
  startedAt: '2026-01-01T00:00:00Z',
  nonce,
});
const leave = (holder: object) => writeFileSync(join(lockDir, NOTE_FILE), JSON.stringify(holder));

function lockFs() {
  const fs = noteKeepingFs(holderNote());
  return { stat: promisify(fs.stat), rmdir: promisify(fs.rmdir) };
}

describe('the fs proper-lockfile works through', () => {
  it('shows the lock of a holder that died on this host as stale, and of a live one as it is', async () => {
    leave(note(deadPid, 'dead'));
    expect((await lockFs().stat(lockDir))!.mtime.getTime()).toBe(0);
    leave(note(process.ppid, 'alive'));
    expect((await lockFs().stat(lockDir))!.mtime.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('removes the lock it judged stale, note and all, but not one that changed hands since', async () => {
    leave(note(deadPid, 'dead'));
    const fs = lockFs();
    await fs.stat(lockDir);
    // Another process reclaimed the dead lock first and holds the board now.
    leave(note(process.ppid, 'fresh'));
    await expect(fs.rmdir(lockDir)).rejects.toMatchObject({ code: 'ELOCKED' });
    expect(readHolder(join(lockDir, NOTE_FILE))?.nonce).toBe('fresh');

    leave(note(deadPid, 'dead'));
    await fs.rmdir(lockDir);
    expect(existsSync(lockDir)).toBe(false);
  });
});
