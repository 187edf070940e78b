import { afterEach, describe, expect, it } from 'vitest';
import { ReplDevice } from '../device/repl-device.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';
import { profileProgram } from './profile-run.ts';
import type { ResultRecord } from './results-records.ts';

const picos: VirtualPico[] = [];
afterEach(async () => {
  for (const pico of picos.splice(0)) await pico.close();
});

/** Two long stretches of work (seconds of host time each), a mark before each. */
const STRETCHES = [
  'import picogc_probe',
  'for i in range(2):',
  '    picogc_probe.mark("step")',
  '    s = 0',
  '    for k in range(1500000):',
  '        s += k',
].join('\n');

/** A loop that samples on every iteration and never sleeps: its device time is all work. */
const SPIN = [
  'import picogc_probe',
  'while True:',
  '    picogc_probe.mark("loop")',
  '    s = sum(range(200))',
].join('\n');

/** A device on a virtual Pico whose measured pace says it runs a million times faster than it does. */
async function misjudgedDevice(): Promise<ReplDevice> {
  const pico = await VirtualPico.start({ seed: 1 });
  picos.push(pico);
  const device = await ReplDevice.connect(
    { stream: pico.link, description: 'virtual Pico', close: async () => {} },
    'sim',
  );
  await device.info();
  // Every deadline in device time becomes (almost) nothing on the host: a host timer set from the
  // start would interrupt a program after its margin alone (1.5 s here).
  return new Proxy(device, {
    get(target, key) {
      if (key === 'wallMs') return (deviceMs: number) => Math.round(deviceMs / 1_000_000);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function profiled(source: string, seconds: number) {
  const records: ResultRecord[] = [];
  const outcome = await profileProgram(
    await misjudgedDevice(),
    { source, seconds, hz: 500, flushHz: 1, every: 0, freeRunMs: 0 },
    (r) => records.push(r),
  );
  return { outcome, end: records.find((r) => r.type === 'end') };
}

describe('the host stop of a profiled program', () => {
  it('follows the device clock in the samples, so a device slower than its measured pace still ends the program at its own deadline', async () => {
    const seconds = 120;
    const { outcome, end } = await profiled(SPIN, seconds);
    expect(outcome.reason).toBe('time');
    // The device's own deadline ended it (mark() found the time up), after all its device seconds.
    expect(end).toMatchObject({ how: 'time', error: null });
    expect(end && 't' in end ? end.t : 0).toBeGreaterThanOrEqual(seconds * 1_000_000);
  });

  it('leaves a program that calls mark() to the device, however long it goes between two marks', async () => {
    // Each stretch between marks takes seconds of host time and sends nothing (no timer samples on
    // the virtual Pico): a host timer would have interrupted it.
    const { outcome, end } = await profiled(STRETCHES, 600);
    expect(outcome.reason).toBe('returned');
    expect(end).toMatchObject({ how: 'returned', error: null });
  });
});
