import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeHeapMap } from '../meminfo/summary.ts';
import { heapFromMemInfo, renderMemInfo } from './heap-map.ts';
import { wasmPyscriptConfig } from './port-config.ts';
import { ModelRuntime, type PyValue } from './runtime.ts';
import { memInfoDumps } from './testing/mem-info-dumps.ts';
import { loadVm, type MicroPythonVm } from './testing/vm.ts';

/**
 * [VM] Placement, block for block. One execution prints `mem_info(1)`, runs a known sequence,
 * and prints `mem_info(1)` again; the model, seeded with the first map, runs the same sequence
 * and must render exactly the second dump.
 *
 * Why the comparison is exact and honest:
 * - The whole execution is compiled before it runs, so the compiler's allocations (live or
 *   already freed) are in the first map, not between the two.
 * - Nothing between the dumps allocates except the sequence: printing mem_info allocates nothing
 *   (checked below: two dumps in a row are equal), the call runs on the pystack, the result goes
 *   into `keep`, a global that already exists, and `for … in range(…)` is compiled to a counter.
 * - The pyscript VM cannot collect inside an execution (gc.collect and the threshold only set a
 *   flag), so the runtime's own frees (a list that grows by moving, a shrink) are the only frees.
 * - The first map does not show the allocator's hint; the model uses the first free block's ATB
 *   byte, which gives the same first-fit result as any value gc.c can hold (no free block lies
 *   below its hint). The `stack:` line is not a heap figure and is taken from the device.
 * - The model renders every line (GC totals, block counts, the map of every area) itself.
 */

const config = wasmPyscriptConfig('1.27.0');

interface Sequence {
  name: string;
  python: string;
  model: (rt: ModelRuntime) => void;
}

const SEQUENCES: Sequence[] = [
  {
    name: 'mixed sizes',
    python: `
def seq():
    a = bytearray(48)
    b = bytearray(0)
    c = bytearray(200)
    f = one * 1.5
    t = (a, b, c)
    l = [one, one, one, one, one, one]
    s = "q" * (one * 20)
    d = bytearray(16)
    return (a, b, c, f, t, l, s, d)`,
    model: (rt) => {
      const a = rt.bytearray(48);
      const b = rt.bytearray(0);
      const c = rt.bytearray(200);
      const f = rt.float();
      const t = rt.tuple([a, b, c]);
      const l = rt.list(new Array<PyValue>(6).fill(null));
      const s = rt.str(20);
      const d = rt.bytearray(16);
      rt.tuple([a, b, c, f, t, l, s, d]);
    },
  },
  {
    name: 'lists that grow by moving and shrink in place (runtime frees)',
    python: `
def seq():
    l = []
    m = []
    for i in range(40):
        l.append(i)
        if i % 3 == 0:
            m.append(bytearray(8))
    f = one * 2.5
    for i in range(30):
        l.pop()
    return (l, m, f)`,
    model: (rt) => {
      const l = rt.list([]);
      const m = rt.list([]);
      for (let i = 0; i < 40; i++) {
        rt.append(l, null);
        if (i % 3 === 0) rt.append(m, rt.bytearray(8));
      }
      const f = rt.float();
      for (let i = 0; i < 30; i++) rt.pop(l);
      rt.tuple([l, m, f]);
    },
  },
  {
    name: 'fragmentation: two lists leapfrog, holes refilled first fit, then left behind',
    python: `
def seq():
    a = []
    b = []
    keep = []
    for i in range(24):
        a.append(i)
        b.append(i)
        keep.append(bytearray(i % 5 * 8))
    for i in range(10):
        keep.append(one * 0.5)
    big = bytearray(500)
    a.clear()
    for i in range(6):
        keep.append((i, one, i))
    for i in range(100):
        b.append(i)
        a.append(i)
    return (b, keep, big, a)`,
    model: (rt) => {
      const a = rt.list([]);
      const b = rt.list([]);
      const keep = rt.list([]);
      for (let i = 0; i < 24; i++) {
        rt.append(a, null);
        rt.append(b, null);
        rt.append(keep, rt.bytearray((i % 5) * 8));
      }
      for (let i = 0; i < 10; i++) rt.append(keep, rt.float());
      const big = rt.bytearray(500);
      rt.clear(a);
      for (let i = 0; i < 6; i++) rt.append(keep, rt.tuple([null, null, null]));
      for (let i = 0; i < 100; i++) {
        rt.append(b, null);
        rt.append(a, null);
      }
      rt.tuple([b, keep, big, a]);
    },
  },
];

describe('[VM] placement: the model seeded with the first map renders the second', () => {
  let vm: MicroPythonVm;
  beforeAll(async () => {
    vm = await loadVm(196608);
    vm.exec('import gc, micropython\none = len("a")\nkeep = None');
  });

  function dumpsAround(name: string, python: string): { before: string; after: string } {
    vm.exec(python);
    vm.exec('gc.collect()');
    const dumps = memInfoDumps(
      vm.exec('micropython.mem_info(1)\nkeep = seq()\nmicropython.mem_info(1)\nkeep = None'),
    );
    if (dumps.length !== 2) throw new Error(`${name}: expected two dumps, got ${dumps.length}`);
    return { before: dumps[0]!.text, after: dumps[1]!.text };
  }

  it('printing mem_info allocates nothing (two dumps in a row are equal)', () => {
    const dumps = memInfoDumps(vm.exec('micropython.mem_info(1)\nmicropython.mem_info(1)'));
    expect(dumps).toHaveLength(2);
    expect(dumps[1]!.text).toBe(dumps[0]!.text);
  });

  for (const sequence of SEQUENCES) {
    it(sequence.name, () => {
      const { before, after } = dumpsAround(sequence.name, sequence.python);
      const first = memInfoDumps(before)[0]!.info;
      const second = memInfoDumps(after)[0]!.info;
      const heap = heapFromMemInfo(config, first);
      sequence.model(new ModelRuntime(heap));
      const rendered = renderMemInfo(heap, { stack: second.stack, lineEnding: second.lineEnding });
      expect(rendered.split('\r\n')).toEqual(after.split('\r\n'));
      // The sequence really changed the heap, and in more than one place.
      expect(after).not.toBe(before);
      expect(heap.collections).toHaveLength(0);
    });
  }

  it('the fragmenting sequence frees blocks mid-heap and leaves holes the allocator must skip', () => {
    const { before, after } = dumpsAround('fragmentation', SEQUENCES[2]!.python);
    const [first, second] = [memInfoDumps(before)[0]!.info, memInfoDumps(after)[0]!.info];
    const heap = heapFromMemInfo(config, first);
    SEQUENCES[2]!.model(new ModelRuntime(heap));
    const grewBy = (second.gc.used - first.gc.used) / 16;
    // gc_alloc handed out this many blocks (moves included), yet the heap grew by far less:
    // the runtime freed the lists' outgrown item arrays in between.
    expect(heap.allocAmount - grewBy).toBeGreaterThanOrEqual(60);
    const blocks = second.map!.areas[0]!.blocks;
    const highest = summarizeHeapMap([blocks]).highestUsedBlock!.block;
    const holes = (blocks.slice(0, highest).match(/\.+/g) ?? []).map((run) => run.length);
    expect(Math.max(...holes)).toBeGreaterThanOrEqual(16);
  });
});
