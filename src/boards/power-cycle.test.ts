import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { describePowerCycle, runPowerCycle, shellQuote, substituteHook } from './power-cycle.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-hook-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the --power-cycle hook', () => {
  it('substitutes {port} and {serial} quoted, so no path can change the command', async () => {
    const evil = `/dev/tty'; touch ${join(dir, 'pwned')}; echo '`;
    expect(substituteHook('relay {port} {serial}', { port: '/dev/ttyACM0', serial: 'E661' })).toBe(
      `relay '/dev/ttyACM0' 'E661'`,
    );
    const out = join(dir, 'args');
    const result = await runPowerCycle(
      `printf '%s\\n' {port} {serial} > ${shellQuote(out)}`,
      { port: evil, serial: '' },
      { timeoutMs: 5_000 },
    );
    expect(result.ok).toBe(true);
    expect(await readFile(out, 'utf8')).toBe(`${evil}\n\n`);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow(/ENOENT/);
  });

  it('reports the exit status and output of a failing hook', async () => {
    const result = await runPowerCycle(
      'echo relay jammed >&2; exit 4',
      { port: 'p', serial: 's' },
      { timeoutMs: 5_000 },
    );
    expect(result).toMatchObject({ ok: false, exitCode: 4, timedOut: false, output: 'relay jammed' });
    expect(describePowerCycle(result)).toMatch(
      /`echo relay jammed >&2; exit 4` exited 4 after \d+\.\d s; output: relay jammed/,
    );
  });

  it('kills the whole hook on its deadline on its clock, children included, and not before', async () => {
    const clock = new ManualClock();
    const pidFile = join(dir, 'child.pid');
    const running = runPowerCycle(
      `sleep 30 & echo $! > ${shellQuote(pidFile)}; wait`,
      { port: 'p', serial: '' },
      { timeoutMs: 60_000, clock },
    );
    const child = await vi.waitFor(async () => Number(await readFile(pidFile, 'utf8')));
    clock.advance(59_999);
    expect(alive(child)).toBe(true);
    clock.advance(1);
    const result = await running;
    expect(result).toMatchObject({ timedOut: true, ok: false, ms: 60_000 });
    expect(describePowerCycle(result)).toMatch(
      /did not finish within the deadline \(killed\) after 60\.0 s$/,
    );
    // Generous: the kill is at once, but a loaded host may take a while to reap the child.
    await expect.poll(() => alive(child), { timeout: 15_000 }).toBe(false);
  });

  it('is over when its shell exits, even if a process it started keeps its output open', async () => {
    const pidFile = join(dir, 'daemon.pid');
    const result = await runPowerCycle(
      `sleep 30 & echo $! > ${shellQuote(pidFile)}; echo cycled`,
      { port: 'p', serial: '' },
      { timeoutMs: 10_000 },
    );
    const daemon = Number(await readFile(pidFile, 'utf8'));
    try {
      // Waiting for the daemon's pipes would have run into the deadline instead.
      expect(result).toMatchObject({ ok: true, exitCode: 0, timedOut: false, output: 'cycled' });
      expect(alive(daemon)).toBe(true); // left alone: it is the hook's business
    } finally {
      process.kill(daemon, 'SIGKILL');
    }
  });
});

/** Running, or stopped: not gone, and not a zombie (killed, waiting for a parent that may never reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) state …"; a container's PID 1 need not reap the orphans it inherits.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
