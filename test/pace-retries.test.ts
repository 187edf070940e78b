import { afterEach, describe, expect, it } from 'vitest';
import { VirtualPico } from '../src/sim/virtual-pico.ts';
import { connectThrough, damagingLink } from './support/damaging-link.ts';

const picos: VirtualPico[] = [];
afterEach(async () => {
  for (const pico of picos.splice(0)) await pico.close();
});

describe("the device's pace on a link that damaged its probe", () => {
  it('is the pace of the try that answered: the failed try before it does not stretch every deadline', async () => {
    const pico = await VirtualPico.start({ seed: 3 });
    picos.push(pico);
    // The probe's frame end lost: the host waits out a stall before it sends the probe again.
    const link = damagingLink(pico.link, 'ticks_ms', '@picogc. 0 0\r\n\x04\x04>', '@picogc. 0 0\r\n');
    link.arm();
    const device = await connectThrough(link);
    const { pace } = await device.info();
    expect(link.damaged()).toBe(1);
    // The virtual Pico spins 100 ms of its time in well under 100 ms of the host's; the stalled try
    // alone took 2 s (a pace of 20 and more).
    expect(pace?.wallPerDeviceMs).toBeLessThan(5);
    expect(pace?.deadlineScale).toBe(1);
  });
});
