import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/device/device.ts';
import { lockstep } from './lockstep.ts';

/** A device that records when each call starts; only the call order matters here. */
function recorder(name: string, log: string[]): Device {
  const call = (what: string) => {
    log.push(`${name}:${what}`);
    return Promise.resolve();
  };
  return {
    info: () => Promise.reject(new Error('unused')),
    exec: async (code) => {
      await call(code);
      return { stdout: '', stderr: '' } as Awaited<ReturnType<Device['exec']>>;
    },
    timedCollect: async () => {
      await call('collect');
      return { us: 1, method: 'ticks_us' };
    },
    memInfo: async () => {
      await call('memInfo');
      return '';
    },
    softReset: () => call('reset'),
    close: () => Promise.resolve(),
  };
}

describe('lockstep', () => {
  it('releases the n-th call of each side together', async () => {
    const log: string[] = [];
    const { devices, finish } = lockstep(recorder('a', log), recorder('b', log));
    const side = async (d: Device, i: 0 | 1, delayFirst: number) => {
      await new Promise((r) => setTimeout(r, delayFirst));
      await d.exec('x');
      await d.timedCollect();
      await d.memInfo();
      finish(i);
    };
    await Promise.all([side(devices[0], 0, 0), side(devices[1], 1, 30)]);
    // a waited for b at every step: the calls alternate in pairs.
    expect(log.slice(0, 2).sort()).toEqual(['a:x', 'b:x']);
    expect(log.slice(2, 4).sort()).toEqual(['a:collect', 'b:collect']);
    expect(log.slice(4, 6).sort()).toEqual(['a:memInfo', 'b:memInfo']);
  });

  it('never leaves a side waiting once the other has finished', async () => {
    const log: string[] = [];
    const { devices, finish } = lockstep(recorder('a', log), recorder('b', log));
    const short = (async () => {
      await devices[1].exec('only');
      finish(1);
    })();
    await devices[0].exec('first');
    await devices[0].exec('second'); // b has no second call: released by finish
    await devices[0].softReset();
    await short;
    expect(log).toContain('a:second');
    expect(log).toContain('a:reset');
  });
});
