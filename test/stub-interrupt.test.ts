import { afterAll, describe, expect, it } from 'vitest';
import { ReplDevice } from '../src/device/repl-device.ts';
import { uploadScripts } from '../src/device/scripts.ts';
import { CHECKED_CALL, FRAME_KICK } from '../src/device/verified-exec.ts';
import { VirtualPico } from '../src/sim/virtual-pico.ts';

/**
 * A KeyboardInterrupt keeps its traceback, referenced from the VM's state, until the next one: every
 * later collection marks it. So the stub reads its frame with Ctrl-C off, and a host that gives up
 * on a read ends it with the wake bytes instead: the pauses after are those of a run without it.
 */
describe('a Ctrl-C while the stub reads its frame (virtual Pico)', () => {
  let pico: VirtualPico;
  let device: ReplDevice;
  afterAll(() => pico?.close());

  const steady = async () => {
    await device.timedCollect();
    return (await device.timedCollect()).us;
  };

  it('is a byte of the frame: no KeyboardInterrupt, the wake ends the read, and the pauses stay', async () => {
    pico = await VirtualPico.start({ seed: 5 });
    const link = pico.link;
    device = await ReplDevice.connect(
      { stream: link, description: 'virtual Pico', close: async () => {} },
      'sim',
    );
    await uploadScripts(device, ['pause']);
    await device.exec('build(200, 48)', { collectFirst: true });
    const before = await steady();

    const heard: Buffer[] = [];
    const listen = (chunk: Buffer) => heard.push(chunk);
    link.on('data', listen);
    const send = async (text: string | Buffer) => {
      link.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    // The call in classic raw mode, then Ctrl-C while the stub waits for the frame, then the wake.
    await send(`${CHECKED_CALL}\x04`);
    await send('\r\x03');
    await send(FRAME_KICK);
    link.off('data', listen);
    const answer = Buffer.concat(heard).toString('latin1');
    expect(answer).toContain('@picogc?');
    expect(answer).toContain('@picogc! head');
    expect(answer).not.toContain('KeyboardInterrupt');

    await device.reenter({ timeoutMs: 5_000 });
    expect(await steady()).toBe(before);
  });
});
