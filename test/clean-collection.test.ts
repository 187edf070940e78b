import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplDevice } from '../src/device/repl-device.ts';
import { deviceScript } from '../src/device/scripts.ts';
import { VirtualPico } from '../src/sim/virtual-pico.ts';

/**
 * On the virtual Pico a retry must leave no trace in what a step places or reads: the link here
 * damages one chosen answer, once, and the step's result must be the one of a clean link.
 */
const picos: VirtualPico[] = [];
afterEach(async () => {
  for (const pico of picos.splice(0)) await pico.close();
});

/**
 * The link, with `damage` applied to the first answer it changes once `arm()` was called, after the
 * host sent code containing `after`.
 */
function damagingLink(link: Duplex, after: string, damage: (text: string) => string) {
  let armed = false;
  let watching = false;
  let damaged = 0;
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      if (armed && chunk.includes(after)) watching = true;
      link.write(chunk, callback);
    },
    read() {},
  });
  link.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    const changed = watching ? damage(text) : text;
    if (changed !== text) {
      watching = armed = false;
      damaged++;
    }
    stream.push(Buffer.from(changed, 'latin1'));
  });
  return { stream, arm: () => (armed = true), damaged: () => damaged };
}

async function deviceOn(after: string, damage: (text: string) => string) {
  const pico = await VirtualPico.start({ seed: 3 });
  picos.push(pico);
  const link = damagingLink(pico.link, after, damage);
  const device = await ReplDevice.connect(
    { stream: link.stream, description: 'virtual Pico', close: async () => {} },
    'sim',
  );
  await device.info();
  await device.softReset();
  for (const name of ['common', 'pause']) await device.exec(deviceScript(name), { collectFirst: true });
  return { device, link };
}

describe('the collection before a collectFirst step', () => {
  /** build(200)'s record (its gc.mem_alloc(): the live set and any garbage left). */
  async function built(damage: boolean) {
    // The end marker's count damaged: the exec that asks for it leaves garbage.
    const { device, link } = await deviceOn('gc.collect()', (text) =>
      text.replace('@picogc. 0 0', '@picogc. 0 8'),
    );
    if (damage) link.arm();
    const { stdout } = await device.exec('build(200, 48)', { collectFirst: true });
    return { record: JSON.parse(/@picogc (\{.*\})/.exec(stdout)![1]!) as unknown, damaged: link.damaged() };
  }

  it('runs again when its answer had to be mended, so the step places what it would on a clean link', async () => {
    const clean = await built(false);
    const mended = await built(true);
    expect(mended.damaged).toBe(1);
    expect(mended.record).toEqual(clean.record);
  });
});

describe('a heap map on the virtual Pico', () => {
  async function map(damage: boolean) {
    // The map's header damaged in every copy: it is asked for again.
    const { device, link } = await deviceOn('mem_info(1)', (text) =>
      text.replaceAll('GC: total:', 'GC: tatal:'),
    );
    await device.exec('build(500, 48)', { collectFirst: true });
    if (damage) link.arm();
    return { map: await device.memInfo({ heapMap: true }), damaged: link.damaged() };
  }

  it('is the same map whether or not its first answer arrived damaged', async () => {
    const clean = await map(false);
    const asked = await map(true);
    expect(asked.damaged).toBe(1);
    expect(asked.map).toEqual(clean.map);
  });
});
