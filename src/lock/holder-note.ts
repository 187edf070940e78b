import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * The note a lock's holder leaves in its lock directory, so a process that finds the board busy can
 * say who has it instead of just "busy", and can tell at once that a holder on this host is dead.
 */
const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** ISO time the lock was taken. */
  startedAt: z.string(),
  port: z.string().optional(),
  command: z.string().optional(),
  /** Tells two holders with the same pid apart (pid reuse, or two locks in one process). */
  nonce: z.string(),
});

export type LockHolder = Readonly<z.infer<typeof holderSchema>>;

export const NOTE_FILE = 'holder.json';

export function holderNote(info: { port?: string; command?: string } = {}): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(info.port === undefined ? {} : { port: info.port }),
    ...(info.command === undefined ? {} : { command: info.command }),
    nonce: randomUUID(),
  };
}

/** The note at `path`; undefined when it is missing or is not a note (it is data, not trusted). */
export function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'locked by a process that has not written its details yet';
  const what = holder.command ? ` running \`${holder.command}\`` : '';
  const port = holder.port ? ` on ${holder.port}` : '';
  return `locked by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}${what}${port}`;
}

/** A holder on this host whose process no longer exists. Other hosts' pids cannot be checked. */
export function holderIsDead(holder: LockHolder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
