import { afterEach, describe, expect, it } from 'vitest';
import { ReplDevice } from '../device/repl-device.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';
import { profileProgram } from './profile-run.ts';
import type { ResultRecord } from './results-records.ts';

const picos: VirtualPico[] = [];
afterEach(async () => {
  for (const pico of picos.splice(0)) await pico.close();
});

/** A loop that samples on every iteration and never sleeps: its device time is all work. */
const SPIN = [
  'import picogc_probe',
  'while True:',
  '    picogc_probe.mark("loop")',
  '    s = sum(range(200))',
].join('\n');

describe('the host stop of a profiled program', () => {
  it('follows the device clock in the samples, so a device slower than its measured pace still ends the program at its own deadline', async () => {
    const pico = await VirtualPico.start({ seed: 1 });
    picos.push(pico);
    const device = await ReplDevice.connect(
      { stream: pico.link, description: 'virtual Pico', close: async () => {} },
      'sim',
    );
    await device.info();
    // As if the pace measured at connect had said the device runs a thousand times faster than it
    // does: every deadline in device time becomes (almost) nothing on the host. A host timer set
    // once from the start would interrupt the program after its margin alone (1.5 s here, well
    // before this virtual Pico reaches 120 device seconds).
    const misjudged = new Proxy(device, {
      get(target, key) {
        if (key === 'wallMs') return (deviceMs: number) => Math.round(deviceMs / 1000);
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const records: ResultRecord[] = [];
    const seconds = 120;
    const outcome = await profileProgram(
      misjudged,
      { source: SPIN, seconds, hz: 500, flushHz: 1, every: 0, freeRunMs: 0 },
      (r) => records.push(r),
    );
    const end = records.find((r) => r.type === 'end');
    expect(outcome.reason).toBe('time');
    // The device's own deadline ended it (mark() found the time up), after all its device seconds.
    expect(end).toMatchObject({ how: 'time', error: null });
    expect(end && 't' in end ? end.t : 0).toBeGreaterThanOrEqual(seconds * 1_000_000);
  });
});
