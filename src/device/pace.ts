import { z } from 'zod';
import { systemClock, type Clock } from '../clock.ts';
import { ProtocolError, escapeBytes } from '../errors.ts';
import { everyLine, STARTED } from './verified-exec.ts';

/**
 * How fast the device runs against the host's clock. Deadlines are budgets of device time: on a
 * device slower than real time (an emulated RP2040 runs at about half speed) each is stretched by
 * `deadlineScale`, so a slow device is never a timeout while a hung one still is.
 */
export const paceSchema = z.object({
  /** Host milliseconds one device millisecond took (1 on a board; about 2.7 on the emulator). */
  wallPerDeviceMs: z.number().nonnegative(),
  /** What every deadline is multiplied by on this device. */
  deadlineScale: z.number().min(1),
  /** How it was measured. */
  method: z.string(),
});
export type Pace = z.infer<typeof paceSchema>;

/** Device milliseconds the calibration loop spins for. */
const SPIN_MS = 100;
/** Below this ratio the device keeps real time (link latency aside): deadlines stay as given. */
const REAL_TIME = 1.1;
/** An emulator's speed moves with the host's load: room for it to slow down by a third. */
const MARGIN = 1.5;

export const PACE_PROBE = `import time
_t = time.ticks_ms()
while time.ticks_diff(time.ticks_ms(), _t) < ${SPIN_MS}:
    pass
print(time.ticks_diff(time.ticks_ms(), _t))`;

/**
 * The probe's answer as it must arrive: the milliseconds it spun, at least SPIN_MS. A digit lost
 * on the way makes fewer: the device layer asks again instead of failing the connect.
 */
export function wholeSpin(stdout: string): string | undefined {
  return /^\d+\r\n$/.test(stdout) && Number(stdout.trim()) >= SPIN_MS
    ? undefined
    : 'not the milliseconds of a whole spin';
}

/**
 * Spin for 100 ms of device time (`ticks_ms`) and time it on the host: from the line the stub prints
 * as the code starts to the line the probe prints at its end (the exec as a whole where those lines
 * are not seen). Tries the link failed before it, or a stall for a frame end lost after it, would
 * make a sound device look slow, and stretch every deadline after it to minutes.
 */
export async function measurePace(
  exec: (
    code: string,
    options: {
      timeoutMs: number;
      validate: (stdout: string) => string | undefined;
      rawStdout: true;
      onStdout: (text: string) => void;
    },
  ) => Promise<{ stdout: string }>,
  clock: Clock = systemClock,
): Promise<Pace> {
  const started = clock.now();
  const spin = spinTimer(clock);
  const { stdout } = await exec(PACE_PROBE, {
    timeoutMs: 30_000,
    validate: wholeSpin,
    rawStdout: true,
    onStdout: spin.onStdout,
  });
  const wallMs = spin.ms() ?? clock.now() - started;
  // (Checked again here for an exec that does not apply `validate`.)
  if (wholeSpin(stdout)) {
    throw new ProtocolError('the pace probe did not print the milliseconds it spun', escapeBytes(stdout));
  }
  return paceFrom(Number(stdout.trim()), wallMs);
}

/** The host time from the last try's start line to the probe's answer after it, as they arrive. */
function spinTimer(clock: Clock): { onStdout: (text: string) => void; ms: () => number | undefined } {
  let begun: number | undefined;
  let ms: number | undefined;
  return {
    onStdout: everyLine((raw) => {
      const line = raw.replace(/\r$/, '');
      if (line === STARTED) [begun, ms] = [clock.now(), undefined];
      else if (begun !== undefined && /^\d+$/.test(line)) ms = clock.now() - begun;
    }),
    ms: () => ms,
  };
}

export function paceFrom(deviceMs: number, wallMs: number): Pace {
  const ratio = wallMs / deviceMs;
  return {
    wallPerDeviceMs: Math.round(ratio * 1000) / 1000,
    deadlineScale: ratio <= REAL_TIME ? 1 : Math.round(MARGIN * ratio * 100) / 100,
    method: `a ${deviceMs} ms spin on ticks_ms took ${Math.round(wallMs)} ms on the host`,
  };
}
