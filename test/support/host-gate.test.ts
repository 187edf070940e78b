import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/device/device.ts';
import { HostGate } from './host-gate.ts';

/**
 * The gate's rules on a scripted host: a reference whose pauses follow a script (then the last
 * value, or a function of the probe's number), and a measured device whose collections are numbered
 * so a test can tell which one the gate handed back.
 */
function device(us: (probe: number) => number): Device & { probes: number } {
  const d = {
    probes: 0,
    info: () => Promise.reject(new Error('unused')),
    exec: () => Promise.reject(new Error('unused')),
    timedCollect: () => Promise.resolve({ us: us(d.probes++), method: 'host-timed' as const }),
    memInfo: () => Promise.reject(new Error('unused')),
    softReset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return d;
}

/** After calibration the reference reads what was last played, one value a probe, then its last value over and over. */
function scripted(calibrationUs: number) {
  const then: number[] = [];
  let calibrating = true;
  const reference = device(() => (calibrating ? calibrationUs : then.length > 1 ? then.shift()! : then[0]!));
  return {
    reference,
    play(values: number[]) {
      calibrating = false;
      then.splice(0, then.length, ...values);
    },
  };
}

const numbered = () => device((n) => n + 1);

describe('HostGate', () => {
  it('takes the fastest pause that held through calibration as its yardstick', async () => {
    const reference = device((probe) => (probe < 5 ? 400 : probe < 10 ? 200 : 100));
    const gate = await HostGate.around(reference, { holdMs: 30 });
    expect(gate.fastestUs).toBe(100);
    expect(reference.probes).toBeGreaterThan(10);
    expect(gate.epoch).toBe(0);
  });

  it('hands back only a collection made between two fast probes, and collects anew otherwise', async () => {
    const host = scripted(100);
    const gate = await HostGate.around(host.reference, { holdMs: 10 });
    const measured = gate.gated(numbered());
    // Fast before, slow after (a spell began): collection 1 is dropped; two slow probes; then a
    // fast probe, collection 2, a fast probe (within ×1.5).
    host.play([100, 260, 250, 240, 100, 149]);
    expect((await measured.timedCollect()).us).toBe(2);
    expect(gate.passed).toBe(1);
    expect(gate.turnedAway).toBe(3);
    // A probe just over ×1.5 is slow.
    host.play([151, 100, 100]);
    expect((await measured.timedCollect()).us).toBe(3);
    expect(gate.turnedAway).toBe(4);
  });

  it('starts a new epoch when the yardstick falls by more than ×1.2 after it judged a collection', async () => {
    const host = scripted(100);
    const gate = await HostGate.around(host.reference, { holdMs: 10 });
    const measured = gate.gated(numbered());
    host.play([100, 100]);
    await measured.timedCollect();
    host.play([90, 90]); // ×1.11: drift, same epoch
    await measured.timedCollect();
    expect(gate.epoch).toBe(0);
    host.play([70, 70]); // ×1.43 below where the epoch began
    await measured.timedCollect();
    expect(gate.epoch).toBe(1);
    expect(gate.fastestUs).toBe(70);
  });

  it('a yardstick that judged nothing yet is replaced without a new epoch (calibrated in a slow spell)', async () => {
    const host = scripted(200);
    const gate = await HostGate.around(host.reference, { holdMs: 10 });
    expect(gate.fastestUs).toBe(200);
    host.play([100, 100]);
    expect((await gate.gated(numbered()).timedCollect()).us).toBe(1);
    expect(gate.epoch).toBe(0);
    expect(gate.fastestUs).toBe(100);
  });

  it('takes the host’s new speed as its yardstick when it stays slow, in a new epoch', async () => {
    const host = scripted(100);
    const gate = await HostGate.around(host.reference, { holdMs: 10, rebaseAfterMs: 40 });
    const measured = gate.gated(numbered());
    host.play([100, 100]);
    await measured.timedCollect();
    host.play([300]); // slower for good
    const started = Date.now();
    await measured.timedCollect();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(gate.epoch).toBe(1);
    expect(gate.fastestUs).toBe(300);
  });
});
