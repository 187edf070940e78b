import { describe, expect, it } from 'vitest';
import { openDevice } from '../src/device/open.ts';
import { LinkError, PicogcError } from '../src/errors.ts';

/**
 * Every fault the virtual Pico can inject, against the host's real stack (REPL client and device
 * layer): each run ends in success or a named error within its deadline. Nothing hangs, and
 * nothing ends in an error that is not a PicogcError.
 */
// Lost and damaged bytes at the rate the retries are sized for (one in 1000, verified-exec.ts
// triesFor): on a link twice as bad the stub's install alone is tried up to 185 times, a reboot
// each, which is no hang but takes longer than any deadline here.
const FAULTS = [
  'drop:0.001',
  'corrupt:0.001',
  'latency:5',
  'stall:400@200',
  'disconnect:300',
  'hang@200',
  'reset-mid-exec@2',
  'boot-noise:200',
];

async function session(fault: string): Promise<'ok' | PicogcError> {
  let device;
  try {
    device = await openDevice({ device: 'sim', faults: [fault], seed: 11 });
    for (let i = 0; i < 4; i++) {
      const { stdout } = await device.exec(`print(${i} * 7)`, { timeoutMs: 3000 });
      if (stdout !== `${i * 7}\r\n`)
        throw new Error(`wrong answer under ${fault}: ${JSON.stringify(stdout)}`);
    }
    await device.timedCollect({ timeoutMs: 3000 });
    return 'ok';
  } catch (error) {
    if (error instanceof PicogcError) return error;
    throw error;
  } finally {
    await device?.close().catch(() => undefined);
  }
}

describe.concurrent('fault injection against the REPL client', () => {
  it.each(FAULTS)('%s ends in success or a named error, in time', async (fault) => {
    const started = Date.now();
    const outcome = await session(fault);
    // The longest deadline in a session is entering the raw REPL (10 s, as mpremote's).
    expect(Date.now() - started).toBeLessThan(15_000);
    if (outcome !== 'ok') expect(outcome.message.length).toBeGreaterThan(0);
  });

  it('a disconnect is a link error flagged as disconnected', async () => {
    const outcome = await session('disconnect:300');
    expect(outcome).toBeInstanceOf(LinkError);
    expect((outcome as LinkError).disconnected).toBe(true);
  });

  it('latency and boot noise do not stop a session', async () => {
    expect(await session('latency:5')).toBe('ok');
    expect(await session('boot-noise:200')).toBe('ok');
  });

  it('a device that stops answering is a device failure (exit 3), not a hang', async () => {
    const outcome = await session('hang@200');
    expect(outcome).toBeInstanceOf(PicogcError);
    expect((outcome as PicogcError).exitCode).toBe(3);
  });
});
