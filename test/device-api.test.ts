import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplDevice } from '../src/device/repl-device.ts';
import { openDevice } from '../src/device/open.ts';
import { uploadScripts } from '../src/device/scripts.ts';
import { parseMemInfo, summarizeHeapMap, memInfoDiscrepancies } from '../src/meminfo/index.ts';

/** The article's measure(n_live) pattern through the Device API, on the virtual Pico. */
describe('the Device API on the virtual Pico', () => {
  let device: ReplDevice;
  beforeAll(async () => {
    device = await openDevice({ device: 'sim', seed: 3 });
    await uploadScripts(device, ['pause']);
  });
  afterAll(() => device?.close());

  it('reports what it is and how it differs from a Pico', async () => {
    const info = await device.info();
    expect(info.backend).toBe('sim');
    expect(info.heapTotal).toBe(245888);
    expect(info.firmware.machine).toBe('JS with Emscripten');
    expect(info.capabilities).toMatchObject({
      kind: 'virtual-pico',
      collectTiming: 'work-clock',
      ticksUsResolutionUs: 1,
      deferredCollect: true,
      heapGrows: true,
      floatBits: 64,
    });
    expect(info.uniqueId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('2000 live bytearray(48) cost 2000 × 64 bytes plus the list', async () => {
    const { stdout } = await device.exec(
      // The globals are bound first: a rehash of the globals table must not count as the list's.
      'import gc\nrelease()\nb = l = i = 0\ngc.disable()\nb = gc.mem_alloc()\nlive = [None] * 2000\nl = gc.mem_alloc()\n' +
        'for i in range(2000):\n    live[i] = bytearray(48)\nprint(l - b, gc.mem_alloc() - l)\ngc.enable()',
    );
    const [list, objects] = stdout.trim().split(' ').map(Number);
    expect(objects).toBe(2000 * 64);
    // `[None] * 2000`: a 16-byte header, 8000 bytes of items, and the temporary `[None]` (32 bytes).
    expect(list).toBe(16 + 8000 + 32);
  });

  it('timed collections grow with the number of live objects', async () => {
    const pauses = async (n: number) => {
      await device.exec('release()');
      await device.exec('import gc\ngc.collect()');
      await device.exec(`build(${n})`);
      for (let i = 0; i < 3; i++) await device.timedCollect();
      const us: number[] = [];
      for (let i = 0; i < 15; i++) us.push((await device.timedCollect()).us);
      // The work clock is deterministic: the same live set, the same pause, every time.
      expect(new Set(us).size).toBe(1);
      return us[0]!;
    };
    const few = await pauses(10);
    const many = await pauses(2000);
    // A behaviour check with a wide margin, not a benchmark: marking 2000 objects and 8000 blocks
    // is far more work than marking 10.
    expect(many).toBeGreaterThan(3 * few);
  });

  it('prints mem_info(1) heap maps the parser reads exactly', async () => {
    for (const n of [0, 500, 2000]) {
      await device.exec('release()');
      await device.exec('import gc\ngc.collect()');
      await device.exec(`build(${n})`);
      await device.timedCollect();
      const info = parseMemInfo(await device.memInfo({ heapMap: true }));
      expect(memInfoDiscrepancies(info)).toEqual([]);
      const summary = summarizeHeapMap(info.map!.areas.map((a) => a.blocks));
      expect(summary.usedBlocks * 16).toBe(info.gc.used);
      // 2000 bytearrays show as 2000 `A` heads (plus the interpreter's own).
      expect(summary.headCounts.A).toBeGreaterThanOrEqual(n);
      expect(summary.headCounts.A).toBeLessThan(n + 20);
    }
  });
});
