import { spawn } from 'node:child_process';
import { systemClock, unref, type Clock } from '../clock.ts';

/**
 * The `--power-cycle CMD` hook: the user's way to cut a board's power (`uhubctl -a cycle -l 1-1 -p
 * 2`, a relay script, a PDU's CLI). `{port}` and `{serial}` are replaced by the board's port and USB
 * serial number, each quoted for the shell, so a path with spaces or quotes cannot change the
 * command. It runs through `/bin/sh -c` in its own process group with a deadline; on the deadline
 * the whole group is killed.
 *
 * The hook may leave a process behind on purpose (a relay daemon, a restarted virtual Pico): the
 * hook is over when its shell exits, not when every inheritor of its output pipes has closed them.
 */

export interface PowerCycleVariables {
  port: string;
  /** Empty when the link has no USB serial number (tcp://, a pty). */
  serial: string;
}

export interface PowerCycleResult {
  /** The command as run, after substitution. */
  command: string;
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last 2000 characters of its stdout and stderr, interleaved as they came. */
  output: string;
  ms: number;
}

/** POSIX shell single quotes: everything literal; a quote inside becomes '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function substituteHook(template: string, variables: PowerCycleVariables): string {
  return template.replace(/\{(port|serial)\}/g, (_, name: 'port' | 'serial') => shellQuote(variables[name]));
}

const OUTPUT_LIMIT = 2000;

export async function runPowerCycle(
  template: string,
  variables: PowerCycleVariables,
  options: { timeoutMs: number; shell?: string; clock?: Clock },
): Promise<PowerCycleResult> {
  const command = substituteHook(template, variables);
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const child = spawn(options.shell ?? '/bin/sh', ['-c', command], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the deadline can end everything it started
    env: { ...process.env, PICOGC_PORT: variables.port, PICOGC_SERIAL: variables.serial },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolveOutcome) => {
      const timer = clock.setTimeout(() => {
        timedOut = true;
        killGroup(child.pid, 'SIGTERM');
        unref(clock.setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2_000));
      }, options.timeoutMs);
      child.once('error', (error) => {
        clock.clearTimeout(timer);
        resolveOutcome({ code: null, signal: null, error });
      });
      // 'exit', not 'close': a background process the hook started may hold its pipes for good.
      child.once('exit', (code, signal) => {
        clock.clearTimeout(timer);
        resolveOutcome({ code, signal });
      });
    },
  );
  // Stop reading what background processes still write: their output is theirs, not the hook's.
  unref(
    clock.setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, 100),
  );
  if (outcome.error) output = `${output}${output ? '\n' : ''}cannot run the hook: ${outcome.error.message}`;
  return {
    command,
    ok: !timedOut && outcome.code === 0,
    exitCode: outcome.code,
    signal: outcome.signal,
    timedOut,
    output: output.trim(),
    ms: clock.now() - started,
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** One line for the report: what ran and how it ended. */
export function describePowerCycle(result: PowerCycleResult): string {
  const how = result.timedOut
    ? `did not finish within the deadline (killed)`
    : result.exitCode !== null
      ? `exited ${result.exitCode}`
      : `ended by ${result.signal ?? 'an error'}`;
  const said = result.output ? `; output: ${result.output.slice(-400)}` : '';
  return `\`${result.command}\` ${how} after ${(result.ms / 1000).toFixed(1)} s${said}`;
}
