import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../src/device/open.ts';
import type { Device } from '../src/device/device.ts';
import { uploadScripts } from '../src/device/scripts.ts';
import { stubInstall } from '../src/device/verified-exec.ts';

/**
 * On the virtual Pico a collection waits for the exec to return, so garbage an earlier exec left
 * (a try that failed on the link, in a faulty run) is still in the heap when the next exec places
 * what outlives it. `collectFirst` collects before such a step: its objects land where they land
 * without that garbage, which is what keeps a retried run's figures those of a clean one.
 */
const opened: Device[] = [];
afterEach(async () => {
  for (const device of opened.splice(0)) await device.close();
});

/** gc.mem_alloc() right after build(200): the live set plus whatever garbage is still there. */
async function builtAfter(garbage: boolean, collectFirst: boolean): Promise<unknown> {
  const device = await openDevice({ device: 'sim', seed: 3 });
  opened.push(device);
  await device.info();
  await device.softReset();
  await uploadScripts(device, ['pause']);
  // What a failed try leaves: allocations no one refers to, not yet collected.
  if (garbage) await device.exec('_g = [bytearray(64) for _ in range(300)]\n_g = None');
  const { stdout } = await device.exec('build(200, 48)', { collectFirst });
  return JSON.parse(/@picogc (\{.*\})/.exec(stdout)![1]!);
}

describe('a step that must start from a collected heap (collectFirst)', () => {
  it('places its objects as if the garbage an earlier exec left had never been there', async () => {
    const clean = await builtAfter(false, true);
    expect(await builtAfter(true, true)).toEqual(clean);
  });

  it('without it, that garbage is still counted and the live set lands elsewhere', async () => {
    expect(await builtAfter(true, false)).not.toEqual(await builtAfter(false, false));
  });
});

/** The heap map after the stub's install, with a refused install before it (and a soft reset between) or not. */
async function heapMapAfterInstall(refusedFirst: boolean, resetBetween: boolean): Promise<string> {
  const device = await openDevice({ device: 'sim', seed: 3 });
  opened.push(device);
  await device.softReset();
  const collect = 'import gc\ngc.collect()';
  if (refusedFirst) {
    // An install whose upload arrived damaged: its CRC no longer matches, the stub refuses it.
    const { code, stdin } = stubInstall();
    const damaged = Buffer.from(
      stdin.toString('latin1').replace('_picogc_n = [0]', '_picogc_n = [1]'),
      'latin1',
    );
    expect((await device.repl.exec(code, { stdin: { data: damaged } })).stdout).toBe('@picogc?\r\nFalse\r\n');
    await device.repl.exec(collect);
    if (resetBetween) await device.repl.softReset();
  }
  const { code, stdin } = stubInstall();
  expect((await device.repl.exec(code, { stdin: { data: stdin } })).stdout).toBe('@picogc?\r\nTrue\r\n');
  await device.repl.exec(collect);
  const map = (await device.repl.exec('import micropython\nmicropython.mem_info(1)')).stdout;
  return map.slice(map.indexOf('GC:'));
}

describe('the checking stub installed again after its upload was refused', () => {
  it('after a soft reset, the heap is the one a single install leaves', async () => {
    expect(await heapMapAfterInstall(true, true)).toBe(await heapMapAfterInstall(false, false));
  });

  it("without it, even collected, the refused try's traces move the stub", async () => {
    expect(await heapMapAfterInstall(true, false)).not.toBe(await heapMapAfterInstall(false, false));
  });
});
