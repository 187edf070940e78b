import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../src/device/open.ts';
import type { Device } from '../src/device/device.ts';
import { uploadScripts } from '../src/device/scripts.ts';

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
