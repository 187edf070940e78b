import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LinkError, UsageError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { duplexPair } from '../link/pair.ts';
import { formatFaultSpec, parseFaultSpec, withFaults, type FaultSpec } from './faults.ts';
import { TEXT } from '../protocol/raw-repl-vocabulary.ts';
import { ReplDriver } from './testing.ts';
import { VirtualPico } from './virtual-pico.ts';

/** A faulty link in front of a scripted device: what the host receives, what the device receives. */
function rig(faults: FaultSpec[], seed = 1, clock = new ManualClock()) {
  const [hostEnd, deviceEnd] = duplexPair();
  const link = withFaults(hostEnd, faults, seed, clock);
  const atHost: Buffer[] = [];
  const atDevice: Buffer[] = [];
  const errors: Error[] = [];
  link.on('data', (chunk: Buffer) => atHost.push(chunk));
  link.on('error', (error: Error) => errors.push(error));
  deviceEnd.on('data', (chunk: Buffer) => atDevice.push(chunk));
  return {
    link,
    inner: hostEnd,
    device: deviceEnd,
    host: () => Buffer.concat(atHost),
    deviceGot: () => Buffer.concat(atDevice),
    errors,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function pattern(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7) % 256));
}

async function sendFromDevice(device: Duplex, data: Buffer, chunk = 100): Promise<void> {
  for (let i = 0; i < data.length; i += chunk) device.write(data.subarray(i, i + chunk));
  await tick();
}

describe('parseFaultSpec', () => {
  it.each([
    ['drop:0.01', { kind: 'drop', rate: 0.01 }],
    ['corrupt:1', { kind: 'corrupt', rate: 1 }],
    ['latency:5', { kind: 'latency', ms: 5 }],
    ['stall:200@1000', { kind: 'stall', ms: 200, afterBytes: 1000 }],
    ['stall:200', { kind: 'stall', ms: 200, afterBytes: 0 }],
    ['disconnect:4096', { kind: 'disconnect', afterBytes: 4096 }],
    ['hang', { kind: 'hang', afterBytes: 0 }],
    ['hang@300', { kind: 'hang', afterBytes: 300 }],
    ['reset-mid-exec', { kind: 'reset-mid-exec', execution: 1 }],
    ['reset-mid-exec@3', { kind: 'reset-mid-exec', execution: 3 }],
    ['boot-noise', { kind: 'boot-noise', bytes: 64 }],
    ['boot-noise:16', { kind: 'boot-noise', bytes: 16 }],
  ])('%s', (text, spec) => {
    expect(parseFaultSpec(text)).toEqual(spec);
    expect(parseFaultSpec(formatFaultSpec(parseFaultSpec(text)))).toEqual(spec);
  });

  it.each([
    '',
    'drop',
    'drop:0',
    'drop:1.5',
    'drop:x',
    'latency',
    'latency:-1',
    'latency:2.5',
    'stall@5',
    'disconnect',
    'hang:3',
    'reset-mid-exec@0',
    'boot-noise@4',
    'unplug',
    'drop:0.1@4',
  ])('rejects %j with a UsageError', (text) => {
    expect(() => parseFaultSpec(text)).toThrow(UsageError);
  });
});

describe('withFaults', () => {
  it('drop: loses bytes at about the rate, both ways, the same ones for the same seed', async () => {
    const run = async (seed: number) => {
      const r = rig([{ kind: 'drop', rate: 0.1 }], seed);
      await sendFromDevice(r.device, pattern(20_000));
      r.link.write(pattern(20_000));
      await tick();
      return { host: r.host(), device: r.deviceGot() };
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    for (const received of [a.host, a.device]) {
      expect(received.length).toBeGreaterThan(17_000);
      expect(received.length).toBeLessThan(19_000);
    }
    expect(b.host.equals(a.host)).toBe(true);
    expect(b.device.equals(a.device)).toBe(true);
    expect(c.host.equals(a.host)).toBe(false);
  });

  it('corrupt: flips exactly one bit in the bytes it hits, keeps the length', async () => {
    const r = rig([{ kind: 'corrupt', rate: 0.05 }]);
    const sent = pattern(10_000);
    await sendFromDevice(r.device, sent);
    const got = r.host();
    expect(got.length).toBe(sent.length);
    let hit = 0;
    for (let i = 0; i < sent.length; i++) {
      const diff = sent[i]! ^ got[i]!;
      if (diff === 0) continue;
      hit++;
      expect(diff & (diff - 1)).toBe(0); // a power of two: one bit
    }
    expect(hit).toBeGreaterThan(350);
    expect(hit).toBeLessThan(650);
  });

  it('latency: every chunk arrives the given milliseconds later, in order, both ways', async () => {
    const clock = new ManualClock();
    const r = rig([{ kind: 'latency', ms: 5 }], 1, clock);
    r.device.write('ab');
    r.device.write('cd');
    r.link.write('xy');
    await clock.advanceAsync(4);
    expect(r.host().toString()).toBe('');
    expect(r.deviceGot().toString()).toBe('');
    await clock.advanceAsync(1);
    expect(r.host().toString()).toBe('abcd');
    expect(r.deviceGot().toString()).toBe('xy');
  });

  it('stall: after N device bytes the output pauses for the given time, then all of it arrives', async () => {
    const clock = new ManualClock();
    const r = rig([{ kind: 'stall', ms: 200, afterBytes: 10 }], 1, clock);
    r.device.write(pattern(25));
    await clock.advanceAsync(0);
    expect(r.host().length).toBe(10);
    r.device.write(pattern(5));
    await clock.advanceAsync(199);
    expect(r.host().length).toBe(10);
    await clock.advanceAsync(1);
    expect(r.host().equals(Buffer.concat([pattern(25), pattern(5)]))).toBe(true);
    r.device.write('z');
    await clock.advanceAsync(0);
    expect(r.host().length).toBe(31);
  });

  it('disconnect: exactly N device bytes arrive, then the link fails with a LinkError', async () => {
    const r = rig([{ kind: 'disconnect', afterBytes: 50 }]);
    const closed = new Promise((resolve) => r.link.once('close', resolve));
    await sendFromDevice(r.device, pattern(60), 30);
    await closed;
    expect(r.host().equals(pattern(50))).toBe(true);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toBeInstanceOf(LinkError);
    expect(r.inner.destroyed).toBe(true); // the wrapped link is closed too, like an unplugged port
  });

  it('hang: after N device bytes nothing more comes back and nothing reaches the device', async () => {
    const r = rig([{ kind: 'hang', afterBytes: 20 }]);
    r.link.write('before');
    await sendFromDevice(r.device, pattern(30));
    r.link.write('after');
    await sendFromDevice(r.device, pattern(30));
    expect(r.host().equals(pattern(20))).toBe(true);
    expect(r.deviceGot().toString()).toBe('before');
  });

  it('hang from the start: the device never answers, not even a banner', async () => {
    const r = rig([{ kind: 'hang', afterBytes: 0 }]);
    r.link.write('\r\x03');
    await sendFromDevice(r.device, Buffer.from('MicroPython ...>>> '));
    expect(r.host().length).toBe(0);
    expect(r.deviceGot().length).toBe(0);
  });

  it('boot-noise: seeded noise arrives before anything the device says', async () => {
    const noise = async (seed: number) => {
      const r = rig([{ kind: 'boot-noise', bytes: 32 }], seed);
      await sendFromDevice(r.device, Buffer.from('banner'));
      const got = r.host();
      expect(got.subarray(32).toString()).toBe('banner');
      return got.subarray(0, 32);
    };
    const [a, b, c] = [await noise(5), await noise(5), await noise(6)];
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(false);
  });
});

describe('reset-mid-exec on any link', () => {
  it('passes the acknowledgement even when split, hides the rest until the reboot, sends Ctrl-C Ctrl-D', async () => {
    const r = rig([{ kind: 'reset-mid-exec', execution: 1 }]);
    r.link.write('x = 1\x04');
    await tick();
    r.device.write('O');
    await tick();
    r.device.write('K1\r\n\x04\x04>');
    await tick();
    expect(r.host().toString('latin1')).toBe('OK');
    expect(r.deviceGot().toString('latin1')).toBe('x = 1\x04\x03\x04');
    r.device.write('OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
    await tick();
    expect(r.host().toString('latin1')).toBe('OKMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
  });
});

describe('reset-mid-exec on a virtual Pico', () => {
  it('the Nth execution starts (OK), then the device soft-reboots: no frame, state lost', async () => {
    const pico = await VirtualPico.start({ faults: [parseFaultSpec('reset-mid-exec@2')] });
    try {
      const repl = new ReplDriver(pico.link);
      await repl.until('>>> ');
      await repl.enterRaw();
      expect(await repl.run('x = 5\nprint(x)')).toBe('5\r\n');
      repl.write('y = x + 1\nprint(y)\x04');
      expect(await repl.until(TEXT.RAW_BANNER_PROMPT)).toBe(
        `OKMPY: soft reboot\r\n${TEXT.RAW_BANNER_PROMPT}`,
      );
      expect((await repl.exec('print(x)')).stderr).toContain("NameError: name 'x' isn't defined");
      expect(pico.softResets).toBe(1);
    } finally {
      await pico.close();
    }
  });
});
