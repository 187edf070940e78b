import { afterEach, describe, expect, it } from 'vitest';
import { DamagedLinkError } from '../src/errors.ts';
import { uploadScripts } from '../src/device/scripts.ts';
import { VirtualPico } from '../src/sim/virtual-pico.ts';
import { connectThrough, damagingLink } from './support/damaging-link.ts';

/**
 * On the virtual Pico a retry must leave no trace in what a step places or reads: the link here
 * damages one chosen answer, once, and the step's result must be the one of a clean link.
 */
const picos: VirtualPico[] = [];
afterEach(async () => {
  for (const pico of picos.splice(0)) await pico.close();
});

async function deviceOn(
  after: string,
  needle: string,
  replacement: string,
  options?: { every?: boolean; always?: boolean },
) {
  const pico = await VirtualPico.start({ seed: 3 });
  picos.push(pico);
  const link = damagingLink(pico.link, after, needle, replacement, options);
  const device = await connectThrough(link);
  await device.info();
  await device.softReset();
  await uploadScripts(device, ['pause']);
  return { device, link };
}

/** `run` on a clean link, then on one that damaged one answer: the step's result is the same. */
async function expectCleanResult(run: (damage: boolean) => Promise<{ result: unknown; damaged: number }>) {
  const clean = await run(false);
  const damaged = await run(true);
  expect(damaged.damaged).toBe(1);
  expect(damaged.result).toEqual(clean.result);
}

/**
 * build(200)'s record (its gc.mem_alloc(): the live set and any garbage left), with `needle` damaged
 * once in an answer after code containing `after` if `damage`.
 */
async function built(damage: boolean, after: string, needle: string, replacement: string, undo?: string) {
  const { device, link } = await deviceOn(after, needle, replacement);
  if (damage) link.arm();
  const { stdout } = await device.exec('build(200, 48)', { collectFirst: true, ...(undo ? { undo } : {}) });
  return { result: JSON.parse(/@picogc (\{.*\})/.exec(stdout)![1]!) as unknown, damaged: link.damaged() };
}

describe('the collection before a collectFirst step', () => {
  it('runs again when its answer had to be mended, so the step places what it would on a clean link', async () => {
    // The end marker's count damaged: the exec that asks for it leaves garbage.
    await expectCleanResult((damage) => built(damage, 'gc.collect()', '@picogc. 0 0', '@picogc. 0 8'));
  });
});

describe('a step whose prompt arrived damaged after a whole answer', () => {
  it('is undone before it runs again, as one whose answer arrived damaged is', async () => {
    // The end marker's line end and the prompt after the frame damaged (corrupt:0.001 seed 10): the
    // client cannot tell whether the step ran. Run with its undo, as the experiments run it.
    const [needle, replacement] = ['@picogc. 1 1\r\n\x04\x04>', '@picogc. 1 1\x0f\n\x04\x04<'];
    await expectCleanResult((damage) => built(damage, 'build(200', needle, replacement, 'release()'));
  });
});

describe('a heap map on the virtual Pico', () => {
  async function map(damage: boolean) {
    // The map's header damaged in every copy: it is asked for again.
    const { device, link } = await deviceOn('mem_info(1)', 'GC: total:', 'GC: tatal:', { every: true });
    await device.exec('build(500, 48)', { collectFirst: true });
    if (damage) link.arm();
    return { result: await device.memInfo({ heapMap: true }), damaged: link.damaged() };
  }

  it('is the same map whether or not its first answer arrived damaged', async () => {
    await expectCleanResult(map);
  });
});

describe('a timed collection whose own answer had to be mended', () => {
  /** A fresh interpreter's pauses after two warm-ups (as an experiment takes them), and its heap map. */
  async function after(damage: boolean) {
    // The collection's end-marker count damaged: the exec that asks for it leaves garbage after it.
    const { device, link } = await deviceOn('gc.collect()', '@picogc. 0 0', '@picogc. 0 8');
    await device.exec('build(300, 48)', { collectFirst: true });
    if (damage) link.arm();
    const pauses = [];
    for (let i = 0; i < 5; i++) pauses.push((await device.timedCollect()).us);
    pauses.splice(0, 2);
    return { result: { pauses, map: await device.memInfo({ heapMap: true }) }, damaged: link.damaged() };
  }

  it('is not read: the first reading imports picogc_sim where a clean link would have put it', async () => {
    await expectCleanResult(after);
  });

  it('fails as a damaged link when no collection comes back clean, rather than read one that was not', async () => {
    const { device, link } = await deviceOn('gc.collect()', '@picogc. 0 0', '@picogc. 0 8', { always: true });
    await device.exec('build(300, 48)', { collectFirst: true });
    link.arm();
    await expect(device.timedCollect()).rejects.toThrow(DamagedLinkError);
    expect(link.damaged()).toBeGreaterThan(12);
  });
});

describe.each([
  ['pause', 'def build('],
  // Its floats and tuple at the top level: forgetting its names and running it again moved them.
  ['heap_position', 'def prepare_pin('],
])('an upload of %s whose answer arrived damaged', (script, after) => {
  /** The heap map after the script was uploaded: its functions, where they landed. */
  async function mapAfterUpload(damage: boolean) {
    const pico = await VirtualPico.start({ seed: 3 });
    picos.push(pico);
    // Both markers lost a byte (drop:0.001 seed 10): nothing says whether the upload ran.
    const link = damagingLink(pico.link, after, '@picogc+\r\n@picogc. 0 0', '@picog+\r\n@piogc. 0 0');
    const device = await connectThrough(link);
    await device.info();
    await device.softReset();
    if (damage) link.arm();
    const repairs: string[] = [];
    device.onRepair = (repair) => repairs.push(repair.kind);
    await uploadScripts(device, [script]);
    return { result: await device.memInfo({ heapMap: true }), damaged: link.damaged(), repairs };
  }

  it('starts over in a fresh interpreter: its functions land where a clean link puts them', async () => {
    await expectCleanResult(mapAfterUpload);
  });

  it('says so: the report lists the upload that went again', async () => {
    expect((await mapAfterUpload(false)).repairs).toEqual([]);
    expect((await mapAfterUpload(true)).repairs).toEqual(['reupload']);
  });
});
