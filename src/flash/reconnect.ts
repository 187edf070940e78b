import { lstat } from 'node:fs/promises';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { LinkError, PicogcError } from '../errors.ts';
import { ReplDevice } from '../device/repl-device.ts';
import { listPorts, type PortInfo } from '../link/discovery.ts';
import { openLink, type Link } from '../link/open.ts';
import { withinDeadline } from '../firmware/flash-result.ts';

export interface ReconnectOptions {
  /** Where the board was before the flash. */
  port: string;
  /** Its USB serial number, when enumeration knew it: the board is looked for by it (new path possible). */
  usbSerial?: string;
  timeoutMs: number;
  pollMs?: number;
  listPorts?: () => Promise<PortInfo[]>;
  /** One raw-REPL entry attempt on a port that is there (it may still be booting). */
  attemptMs?: number;
  log?: (line: string) => void;
  clock?: Clock;
}

/**
 * Wait for a board that rebooted (into new firmware) to answer on serial again: found by its USB
 * serial number when known (a Pico may come back as ttyACM1), else at the same path. It must also
 * take the raw REPL, since a port that enumerates is not yet a MicroPython that listens. On the
 * deadline: a `LinkError` naming the step and the last thing that went wrong.
 */
export async function reconnectBoard(options: ReconnectOptions): Promise<ReplDevice> {
  const list = options.listPorts ?? (() => listPorts());
  const pollMs = options.pollMs ?? 200;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const remaining = () => options.timeoutMs - (clock.now() - started);
  let lastProblem = 'the port never appeared';
  for (;;) {
    const path = await locate(options, list);
    if (path !== undefined) {
      let link: Link | undefined;
      try {
        link = await openLink(path);
        const opened = link;
        const attemptMs = Math.max(1, Math.min(options.attemptMs ?? 5_000, remaining()));
        return await withinDeadline(
          'reconnect',
          `entering the raw REPL on ${path}`,
          attemptMs,
          () => ReplDevice.connect(opened, 'serial', { softReset: false }),
          clock,
        );
      } catch (error) {
        await link?.close().catch(() => undefined);
        lastProblem = `${path}: ${error instanceof PicogcError || error instanceof Error ? error.message : String(error)}`;
        options.log?.(`reconnect: ${lastProblem}; trying again`);
      }
    }
    if (remaining() <= 0) {
      const what = options.usbSerial ? `USB serial ${options.usbSerial}` : options.port;
      throw new LinkError(
        `step reconnect: the board (${what}) did not come back on serial within ` +
          `${(options.timeoutMs / 1000).toFixed(1)} s after the image was loaded (${lastProblem}); ` +
          'is it still in BOOTSEL mode (was the image written to its drive)?',
      );
    }
    await sleep(Math.max(0, Math.min(pollMs, remaining())), clock);
  }
}

async function locate(
  options: ReconnectOptions,
  list: () => Promise<PortInfo[]>,
): Promise<string | undefined> {
  if (options.usbSerial) {
    return (await list().catch(() => [])).find((p) => p.serialNumber === options.usbSerial)?.path;
  }
  return (await lstat(options.port).then(
    () => true,
    () => false,
  ))
    ? options.port
    : undefined;
}
