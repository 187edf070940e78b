import { DeviceException, PicogcError } from '../errors.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import { deviceScript } from '../device/scripts.ts';
import { bytesLiteral } from '../device/verified-exec.ts';
import { measurePauses } from './pause-probe.ts';
import { ProbeStream } from './probe-stream.ts';
import type { ResultRecord } from './results-records.ts';

/**
 * `picogc profile`'s device side: upload the resident sampler, run the user's program unchanged
 * under it for a while, stop it, time one collection with the program's globals still alive, and
 * remove the sampler. Every record is handed to `record` the moment it is read (the caller appends
 * it to results.jsonl), so whatever ends the run, what was measured is already on disk.
 */

export interface ProfileSettings {
  /** The program's source (APP.py), run as `__main__`. */
  source: string;
  /** How long to let it run, in device seconds. */
  seconds: number;
  /** Sampler ticks a second (a soft machine.Timer: whole milliseconds, at most 1000). */
  hz: number;
  /** Flushes a second (a second soft timer prints the ring). */
  flushHz: number;
  /** Read gc.mem_alloc() on every this-many-th tick (it walks the whole allocation table); 0 = auto. */
  every: number;
  /** The longest-free-run probe runs at most this often, ms (0 = never). */
  freeRunMs: number;
  /** A tick later than this past its period is recorded (default LATE_US). */
  lateUs?: number;
  /**
   * Device ms the program runs first without the sampler (its loop period and allocation rate
   * then, against those sampled after: the sampler's own cost). 0 or absent: none.
   */
  bareMs?: number;
  /** Aborted (Ctrl-C on the host, a test): the program is interrupted, the samples kept. */
  signal?: AbortSignal;
  /**
   * Aborted (a second Ctrl-C): don't wait out the grace before asking a program that swallowed its
   * KeyboardInterrupt to stop through the probe.
   */
  insist?: AbortSignal;
}

export type StopReason = 'time' | 'interrupted' | 'raised' | 'returned' | 'failed';

export interface ProfileOutcome {
  reason: StopReason;
  /** The program's exception, or what failed on the way (the link, the device). */
  error?: PicogcError | Error;
}

/**
 * A tick this late (µs past its period) is worth a ring entry: above a scheduled callback's usual
 * jitter, below the shortest collection of a Pico (~1 ms with an almost empty heap).
 */
export const LATE_US = 500;

/** Device milliseconds a stopped program gets to flush its last samples and close its frame. */
const STOP_GRACE_MS = 15_000;
/**
 * Device milliseconds after the Ctrl-C before the probe is asked, through stdin, to stop a program
 * that caught its KeyboardInterrupt (its next mark() raises the probe's own BaseException).
 */
export const INSIST_AFTER_MS = 2_000;
/**
 * The second request: another Ctrl-C (the first may have landed in one of the probe's scheduled
 * callbacks, which the scheduler runs protected, so the program never saw it), then the byte the
 * probe takes from stdin as "stop the program" (profile_probe.py's _PP_STOP_BYTE; after the Ctrl-C,
 * which empties the device's stdin ring).
 */
const INSIST_BYTES = Buffer.from([0x03, 0x1c]);
/** Host margin past the device's own deadline (mark() stops the program there) before Ctrl-C. */
const HOST_STOP_MARGIN_MS = 1_500;
/** Device milliseconds the exec may take to start the program, while its begin line has not come. */
const START_ALLOWANCE_MS = 10_000;

export async function profileProgram(
  device: ReplDevice,
  settings: ProfileSettings,
  record: (r: ResultRecord) => void,
): Promise<ProfileOutcome> {
  await device.exec(deviceScript('profile_probe'), { timeoutMs: 20_000 });
  // How the device saw the end (mark() found the time up, a Ctrl-C, the program returned).
  let deviceEnd: StopReason | undefined;
  const stop = new AbortController();
  const insist = new AbortController();
  let insistTimer: NodeJS.Timeout | undefined;
  let stoppedBy: StopReason | undefined;
  const stopAs = (reason: StopReason) => {
    stoppedBy ??= reason;
    if (!stop.signal.aborted) insistTimer = setTimeout(() => insist.abort(), device.wallMs(INSIST_AFTER_MS));
    stop.abort();
  };
  const onInsist = () => {
    stopAs('interrupted');
    insist.abort();
  };
  if (settings.insist?.aborted) onInsist();
  settings.insist?.addEventListener('abort', onInsist, { once: true });
  // The device stops a program that calls mark() itself, on its own clock: once a mark has come, the
  // host leaves the stop to it (the exec's own deadline still ends a device that never answers
  // again). One that never calls mark() is interrupted here once its time has passed, counted from
  // where the device says it is: its begin line, then the device time its samples reached (a
  // Pico's timer samples a program that never marks). A host timer alone cut programs short where a
  // slowed device (a virtual Pico on a loaded host) had not reached its deadline: the run's figures
  // then followed the host's load. Until the begin line comes (it may be lost), the start gets a
  // generous allowance.
  let stopTimer: NodeJS.Timeout | undefined;
  let running = true;
  let marked = false;
  const stopAfter = (deviceMs: number) => {
    clearTimeout(stopTimer);
    if (!running || marked || stop.signal.aborted) return;
    stopTimer = setTimeout(() => stopAs('time'), device.wallMs(Math.max(0, deviceMs)) + HOST_STOP_MARGIN_MS);
  };
  const stream = new ProbeStream((r) => {
    if (r.type === 'end') deviceEnd = r.how;
    if (r.type === 'mark') {
      marked = true;
      clearTimeout(stopTimer);
    }
    if (r.type === 'begin') stopAfter(settings.seconds * 1000);
    if (r.type === 'samples' && r.entries.length > 0) {
      const reachedUs = Math.max(...r.entries.map(([, t]) => t));
      stopAfter(settings.seconds * 1000 - reachedUs / 1000);
    }
    record(r);
  });
  stopAfter(settings.seconds * 1000 + START_ALLOWANCE_MS);
  const onAbort = () => stopAs('interrupted');
  if (settings.signal?.aborted) onAbort();
  settings.signal?.addEventListener('abort', onAbort, { once: true });
  const call =
    `_pp_run(${bytesLiteral(Buffer.from(settings.source, 'utf8'))}, ${settings.hz}, ${settings.flushHz}, ` +
    `${settings.every}, ${settings.freeRunMs}, ${settings.seconds}, ${settings.lateUs ?? LATE_US}, ${Math.round(settings.bareMs ?? 0)})`;
  let outcome: ProfileOutcome;
  try {
    const run = device.exec(call, {
      // Never twice: the program has side effects, and its samples were already recorded.
      idempotent: false,
      timeoutMs: (settings.seconds + STOP_GRACE_MS / 1000) * 1000 + 30_000,
      rawStdout: true,
      onStdout: (text) => stream.write(text),
      signal: stop.signal,
      stdinOnAbort: { signal: insist.signal, bytes: INSIST_BYTES },
    });
    outcome = await untilStopped(run, stop.signal, device.wallMs(STOP_GRACE_MS));
  } finally {
    running = false;
    clearTimeout(stopTimer);
    clearTimeout(insistTimer);
    settings.signal?.removeEventListener('abort', onAbort);
    settings.insist?.removeEventListener('abort', onInsist);
    await stream.end();
  }
  // A stop the host asked for ends as a KeyboardInterrupt on the device, or as a return where the
  // probe caught it: the host's reason is the reason. Time that ran out in mark() is the device's.
  if (outcome.reason === 'returned' || outcome.reason === 'interrupted') {
    const reason = stoppedBy ?? (deviceEnd === 'time' ? 'time' : outcome.reason);
    outcome = { reason };
  }
  // A program that outlived its Ctrl-C and the probe's request holds the device: nothing more can
  // be run there. Stopped by the user, that is still their Ctrl-C (exit 130), with the reason.
  const stillRunning = outcome.error instanceof ProgramStillRunning;
  if (stillRunning && stoppedBy === 'interrupted') outcome = { reason: 'interrupted', error: outcome.error! };
  record({
    type: 'stopped',
    reason: outcome.reason,
    ...(outcome.error ? { detail: `${outcome.error.name}: ${outcome.error.message}` } : {}),
  });
  if (outcome.reason !== 'failed' && !stillRunning) {
    await measurePauses(device, record).catch(() => undefined);
    await removeProbe(device).catch(() => undefined);
  }
  return outcome;
}

/** The program outlived its Ctrl-C and the probe's request to stop: the device is still running it. */
export class ProgramStillRunning extends Error {
  override name = 'ProgramStillRunning';
}

/**
 * The program's exec, ended by the program (returned, raised) or by a stop: once stopped it has
 * `graceMs` to flush and close its frame; a device that does not is given up on (what arrived is
 * kept).
 */
async function untilStopped(
  run: Promise<unknown>,
  stop: AbortSignal,
  graceMs: number,
): Promise<ProfileOutcome> {
  let giveUp: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<ProfileOutcome>((resolve) => {
    const arm = () => {
      giveUp = setTimeout(
        () =>
          resolve({
            reason: 'failed',
            error: new ProgramStillRunning(
              `the program did not stop within ${graceMs} ms of its Ctrl-C, nor when the probe asked it to at its next mark() (it never calls picogc_probe.mark(), or it catches BaseException): the device is still running it; reset the board`,
            ),
          }),
        graceMs,
      );
    };
    if (stop.aborted) arm();
    else stop.addEventListener('abort', arm, { once: true });
  });
  const ended = run.then(
    (): ProfileOutcome => ({ reason: 'returned' }),
    (error: unknown): ProfileOutcome => {
      if (error instanceof DeviceException) {
        // A Ctrl-C that came before the probe's handler (or after it) is still a stop, not a fault.
        if (error.type === 'KeyboardInterrupt') return { reason: 'interrupted' };
        return { reason: 'raised', error };
      }
      return { reason: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
    },
  );
  try {
    return await Promise.race([ended, gaveUp]);
  } finally {
    clearTimeout(giveUp);
  }
}

/** The sampler's names and the program's globals go; a collection returns their memory. */
async function removeProbe(device: ReplDevice): Promise<void> {
  await device.exec(
    [
      'import gc, sys',
      "sys.modules.pop('picogc_probe', None)",
      "for _pp_k in [k for k in globals() if k.startswith('_pp_') or k.startswith('_PP')]:",
      '    del globals()[_pp_k]',
      "globals().pop('_pp_k', None)",
      'gc.collect()',
    ].join('\n'),
  );
}

/**
 * The program's traceback as the program alone would show it: the stub's frame, the probe's
 * `_pp_run` frame and the call of it (the frame just before) are left out; the program's own
 * frames keep the line numbers of APP.py.
 */
export function programTraceback(traceback: string): string {
  const lines = traceback.split('\n');
  const probe = lines.findIndex((l) => /^ {2}File "<stdin>", line \d+, in _pp_run$/.test(l));
  return lines
    .filter((_, i) => probe < 0 || (i !== probe && i !== probe - 1))
    .filter((l) => !/^ {2}File "<stdin>", line \d+, in _picogc_x$/.test(l))
    .join('\n');
}
