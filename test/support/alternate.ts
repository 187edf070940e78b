import type { Device } from '../../src/device/device.ts';

/**
 * Two devices whose calls take turns: the n-th call of the first, then the n-th call of the second,
 * then the (n+1)-th of the first, each starting when the other's has finished. Two runs of the same
 * experiments on two virtual Picos then time each pair of collections milliseconds apart, one at a
 * time: a spell of the host (they last seconds) falls on both alike, and neither VM thread competes
 * with the other for a CPU while it is timed. When one side is done (or its calls diverge),
 * `finish` lets the other go on alone; nothing waits forever.
 */
export function alternate(
  a: Device,
  b: Device,
): { devices: [Device, Device]; finish: (side: 0 | 1) => void } {
  let turn: 0 | 1 = 0;
  const done: [boolean, boolean] = [false, false];
  const waiting: [(() => void) | undefined, (() => void) | undefined] = [undefined, undefined];
  const wake = (side: 0 | 1) => {
    const resume = waiting[side];
    waiting[side] = undefined;
    resume?.();
  };
  const take = async <T>(side: 0 | 1, call: () => Promise<T>): Promise<T> => {
    const other = side === 0 ? 1 : 0;
    while (turn !== side && !done[other]) await new Promise<void>((resume) => (waiting[side] = resume));
    try {
      return await call();
    } finally {
      turn = other;
      wake(other);
    }
  };
  const wrap = (device: Device, side: 0 | 1): Device => ({
    info: () => device.info(),
    exec: (code, options) => take(side, () => device.exec(code, options)),
    timedCollect: (options) => take(side, () => device.timedCollect(options)),
    memInfo: (options) => take(side, () => device.memInfo(options)),
    softReset: () => take(side, () => device.softReset()),
    close: () => device.close(),
  });
  return {
    devices: [wrap(a, 0), wrap(b, 1)],
    finish: (side) => {
      done[side] = true;
      wake(side === 0 ? 1 : 0);
    },
  };
}
