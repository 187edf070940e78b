import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A run's directory and the `latest` link to it, for every run written, whether it reached its
 * device (session.ts) or not (unreached-run.ts).
 */

/**
 * The run's directory, created here. Run ids have one-second resolution: a second run of the same
 * board within that second (a quick subset, a retry) gets `-2`, `-3`… instead of mixing its files
 * into the first one's.
 */
export function claimRunDir(outDir: string, baseId: string): { runId: string; runDir: string } {
  mkdirSync(outDir, { recursive: true });
  for (let n = 1; ; n++) {
    const runId = n === 1 ? baseId : `${baseId}-${n}`;
    const runDir = join(outDir, runId);
    if (existsSync(runDir)) continue;
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (error) {
      // Another process took the name between the check and the mkdir: try the next one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** UTC time + a board's id: sortable by time, unique per board, safe as a directory name. */
export function runIdFor(boardId: string, at = new Date()): string {
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${time}-${boardId}`;
}

/** `<outDir>/<name>` points at the run: a symlink, or where there are none a file naming it. */
export function pointLatest(outDir: string, runId: string, name: string): void {
  const latest = join(outDir, name);
  rmSync(latest, { force: true });
  try {
    symlinkSync(runId, latest);
  } catch {
    // Filesystems without symlinks get a file naming the run instead.
    writeFileSync(latest, `${runId}\n`);
  }
}

/**
 * The name of a run's `latest` link: `latest` unless told otherwise; several boards running at
 * once each get their own, made from the board's id (e.g. `latest-<id>`).
 */
export type LatestName = string | ((boardId: string) => string);

export function latestLinkName(latest: LatestName | undefined, boardId: string): string {
  if (latest === undefined) return 'latest';
  return typeof latest === 'string' ? latest : latest(boardId);
}
