import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/device/device.ts';
import { alternate } from './alternate.ts';

/** A device that logs when each call starts and ends, and takes a moment in between. */
function recorder(name: string, log: string[], failOn?: string): Device {
  const call = async (what: string) => {
    log.push(`${name}:${what}`);
    await sleep(2);
    log.push(`${name}:${what}:end`);
    if (what === failOn) throw new Error(`${name} failed on ${what}`);
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

async function side(d: Device, finish: () => void, delayFirst: number): Promise<void> {
  await sleep(delayFirst);
  await d.exec('x');
  await d.timedCollect();
  await d.memInfo();
  finish();
}

describe('alternate', () => {
  it('runs the calls one at a time, in turns, the first side first', async () => {
    const log: string[] = [];
    const { devices, finish } = alternate(recorder('a', log), recorder('b', log));
    // b is ready first, and still waits for a's first call.
    await Promise.all([side(devices[0], () => finish(0), 30), side(devices[1], () => finish(1), 0)]);
    expect(log).toEqual(
      ['x', 'collect', 'memInfo'].flatMap((call) => [
        `a:${call}`,
        `a:${call}:end`,
        `b:${call}`,
        `b:${call}:end`,
      ]),
    );
  });

  it('passes the turn on when a call fails', async () => {
    const log: string[] = [];
    const { devices, finish } = alternate(recorder('a', log, 'collect'), recorder('b', log));
    const a = side(devices[0], () => finish(0), 0).catch((error: unknown) => {
      finish(0);
      return String(error);
    });
    await Promise.all([a, side(devices[1], () => finish(1), 0)]);
    expect(await a).toMatch(/a failed on collect/);
    expect(log).toContain('b:memInfo:end');
  });

  it('never leaves a side waiting once the other has finished', async () => {
    const log: string[] = [];
    const { devices, finish } = alternate(recorder('a', log), recorder('b', log));
    const short = (async () => {
      await devices[1].exec('only');
      finish(1);
    })();
    await devices[0].exec('first');
    await devices[0].exec('second'); // b has no second call: a goes on alone once b is done
    await devices[0].softReset();
    await short;
    expect(log).toEqual([
      'a:first',
      'a:first:end',
      'b:only',
      'b:only:end',
      'a:second',
      'a:second:end',
      'a:reset',
      'a:reset:end',
    ]);
  });
});
