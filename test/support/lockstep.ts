import type { Device } from '../../src/device/device.ts';

/**
 * Two devices whose calls are released in pairs: the n-th device call of one side waits until the
 * other side makes its n-th call, then both go at once. Two runs of the same experiments on two
 * virtual Picos then time each collection at the same moment, so a busy host slows both alike:
 * what an A/A comparison of them tests is the rule, not the host's quietness. When one side is
 * done (or its calls diverge), `finish` releases the other for good; nothing waits forever.
 */
export function lockstep(a: Device, b: Device): { devices: [Device, Device]; finish: (side: 0 | 1) => void } {
  const waiting: [Map<number, () => void>, Map<number, () => void>] = [
    new Map<number, () => void>(),
    new Map<number, () => void>(),
  ];
  const count: [number, number] = [0, 0];
  const done: [boolean, boolean] = [false, false];
  const arrive = (side: 0 | 1): Promise<void> => {
    const other = side === 0 ? 1 : 0;
    const index = count[side]++;
    if (done[other]) return Promise.resolve();
    const partner = waiting[other].get(index);
    if (partner) {
      waiting[other].delete(index);
      partner();
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting[side].set(index, resolve));
  };
  const wrap = (device: Device, side: 0 | 1): Device => ({
    info: () => device.info(),
    exec: async (code, options) => {
      await arrive(side);
      return device.exec(code, options);
    },
    timedCollect: async (options) => {
      await arrive(side);
      return device.timedCollect(options);
    },
    memInfo: async (options) => {
      await arrive(side);
      return device.memInfo(options);
    },
    softReset: async () => {
      await arrive(side);
      return device.softReset();
    },
    close: () => device.close(),
  });
  return {
    devices: [wrap(a, 0), wrap(b, 1)],
    finish: (side) => {
      done[side] = true;
      const other = side === 0 ? 1 : 0;
      for (const release of waiting[other].values()) release();
      waiting[other].clear();
    },
  };
}
