import { lstat } from 'node:fs/promises';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { LinkError } from '../errors.ts';
import { listPorts, type PortInfo } from '../link/discovery.ts';
import { isInProcess, type DeviceTarget } from '../device/target.ts';

export interface WaitForBoardOptions {
  timeoutMs: number;
  pollMs?: number;
  listPorts?: () => Promise<PortInfo[]>;
  clock?: Clock;
}

/**
 * After a power cycle, wait for the board to enumerate again and say where it is now. A board known
 * by its USB serial is looked for by that serial (a Pico may come back as ttyACM1 where it was
 * ttyACM0); a board known only by its path must reappear at that path; a tcp:// export is reached
 * at its address (the exporter stays while the board behind it cycles), so there is nothing to wait
 * for here and the reconnect retries instead.
 */
export async function waitForBoard(target: DeviceTarget, options: WaitForBoardOptions): Promise<string> {
  if (isInProcess(target)) {
    throw new LinkError('a board emulated in this process does not re-enumerate');
  }
  if (target.kind === 'tcp') return target.port;
  const list = options.listPorts ?? (() => listPorts());
  const pollMs = options.pollMs ?? 250;
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    if (target.usbSerial) {
      const found = (await list().catch(() => [])).find((p) => p.serialNumber === target.usbSerial);
      if (found) return found.path;
    } else if (await exists(target.port)) {
      return target.port;
    }
    if (clock.now() >= deadline) {
      const what = target.usbSerial ? `USB serial ${target.usbSerial}` : target.port;
      throw new LinkError(
        `the board (${what}) did not come back within ${Math.round(options.timeoutMs / 1000)} s of the power cycle`,
      );
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - clock.now())), clock);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
