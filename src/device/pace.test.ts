import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.ts';
import { measurePace, paceFrom, PACE_PROBE } from './pace.ts';

describe('the device pace', () => {
  it('leaves deadlines alone on a device that keeps real time (link latency included)', () => {
    expect(paceFrom(100, 104)).toMatchObject({ wallPerDeviceMs: 1.04, deadlineScale: 1 });
  });

  it('stretches deadlines on a slow device, with room for it to slow down further', () => {
    // An emulated RP2040 at 0.37× real time.
    const pace = paceFrom(100, 270);
    expect(pace.wallPerDeviceMs).toBe(2.7);
    expect(pace.deadlineScale).toBe(4.05);
    expect(pace.method).toBe('a 100 ms spin on ticks_ms took 270 ms on the host');
  });

  it('times the probe on the host clock around the exec', async () => {
    let now = 10;
    const clock = { now: () => now } as unknown as Clock;
    const pace = await measurePace((code) => {
      expect(code).toBe(PACE_PROBE);
      now += 300;
      return Promise.resolve({ stdout: '100\r\n' });
    }, clock);
    expect(pace.wallPerDeviceMs).toBe(3);
  });

  it('times the spin from the line the code starts at to its answer, not tries or stalls around them', async () => {
    let now = 0;
    const clock = { now: () => now } as unknown as Clock;
    const pace = await measurePace((_code, { onStdout }) => {
      onStdout('@picogc?\r\n@picogc+\r\n'); // a try whose answer the link lost
      now += 2_000; // the stall before it is sent again
      onStdout('@picogc?\r\n@pico');
      now += 10;
      onStdout('gc+\r\n');
      now += 104;
      onStdout('100\r\n@picogc. 0 0\r\n');
      now += 2_000; // a stall for the frame end, lost after the answer
      return Promise.resolve({ stdout: '100\r\n' });
    }, clock);
    expect(pace).toMatchObject({ wallPerDeviceMs: 1.04, deadlineScale: 1 });
  });

  it('has its answer checked where it is read: a digit lost on the way is asked for again, not taken', async () => {
    let validate: ((stdout: string) => string | undefined) | undefined;
    await measurePace((_code, options) => {
      validate = options.validate;
      return Promise.resolve({ stdout: '100\r\n' });
    });
    expect(validate!('100\r\n')).toBeUndefined();
    expect(validate!('101\r\n')).toBeUndefined();
    expect(validate!('10\r\n')).toMatch(/whole spin/);
    expect(validate!('100')).toMatch(/whole spin/);
  });

  it('refuses a probe that did not spin', async () => {
    await expect(measurePace(() => Promise.resolve({ stdout: 'oops' }))).rejects.toThrow(/pace probe/);
  });
});
