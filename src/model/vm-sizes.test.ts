import { beforeAll, describe, expect, it } from 'vitest';
import { parseMemInfo } from '../meminfo/parse.ts';
import { GcHeap } from './heap.ts';
import { initialAreaLayout } from './layout.ts';
import { objectBlocks, parseObjectSpec } from './object-sizes.ts';
import { heapRegionOfSize, rp2Config, wasmPyscriptConfig } from './port-config.ts';
import { ModelRuntime } from './runtime.ts';
import { loadVm, type MicroPythonVm } from './testing/vm.ts';

/**
 * [VM] The model's heap geometry and object sizes against the real MicroPython VM
 * (npm pyscript variant 1.27.0), measured, never assumed.
 */

const wasm = wasmPyscriptConfig('1.27.0');

describe("[VM] geometry: the model's GC total equals the VM's first area", () => {
  // The boundary pairs (251651/251652, 251660/251668, 251717/251720) only come out right when
  // the end of the malloc'd area is rounded down to a block before the ATB is sized.
  const sizes = [
    32768, 65536, 100000, 131072, 196608, 251651, 251652, 251660, 251668, 251700, 251717, 251720, 300001,
  ];
  for (const heapsize of sizes) {
    it(`heapsize ${heapsize}`, async () => {
      const vm = await loadVm(heapsize);
      const info = parseMemInfo(vm.exec('import micropython\nmicropython.mem_info(1)'));
      const vmFirstArea = info.map!.areas[0]!.blocks.length * 16;
      const model = initialAreaLayout(wasm, heapRegionOfSize(wasm, heapsize));
      expect(model.totalBytes).toBe(vmFirstArea);
      expect(info.map!.areas).toHaveLength(1);
      expect(info.gc.total).toBe(model.totalBytes);
    });
  }
});

describe('[VM] allocation sizes: model == gc.mem_alloc() delta inside one execution', () => {
  let vm: MicroPythonVm;
  beforeAll(async () => {
    vm = await loadVm(196608);
    // Every name the measurements store to exists already, so storing allocates nothing.
    vm.exec(
      [
        'import gc',
        'one = len("a")',
        'a = b = x = i = None',
        'B9 = bytes(range(1, 10))',
        'B17 = bytes(range(1, 18))',
        'B33 = bytes(range(1, 34))',
        'class C:',
        '    def m(self): pass',
        ...[1, 2, 3, 5, 7, 13].flatMap((k) => [
          `class D${k}:`,
          '    def __init__(self):',
          ...Array.from({ length: k }, (_, i) => `        self.a${i} = ${i}`),
        ]),
        'inst = C()',
      ].join('\n'),
    );
  });

  /** The VM's mem_alloc delta around `code` (one execution, no collection can run inside it). */
  function measured(code: string): number {
    const out = vm.exec(`a = gc.mem_alloc()\n${code}\nb = gc.mem_alloc()\nprint(b - a)`);
    return Number(out.trim());
  }

  /** The model's delta for the same construction on a fresh model heap. */
  function modelled(build: (rt: ModelRuntime) => void): number {
    const heap = new GcHeap(wasm);
    const before = heap.memAlloc();
    build(new ModelRuntime(heap));
    return heap.memAlloc() - before;
  }

  const items = (n: number): null[] => new Array<null>(n).fill(null);
  const display = (n: number, open: string, close: string): string =>
    `${open}${Array.from({ length: n }, () => 'one').join(', ')}${n === 1 && open === '(' ? ',' : ''}${close}`;

  const cases: [string, string, (rt: ModelRuntime) => void][] = [
    ['float', 'x = one * 1.5', (rt) => rt.float()],
    ['small int', 'x = one + 12345', () => undefined],
    ...[9, 17, 33].map((n): [string, string, (rt: ModelRuntime) => void] => [
      `big int from ${n} bytes`,
      `x = int.from_bytes(B${n}, "little")`,
      (rt) => rt.bigInt(n * 8),
    ]),
    ...[0, 1, 16, 48, 200].map((n): [string, string, (rt: ModelRuntime) => void] => [
      `bytearray(${n})`,
      `x = bytearray(${n})`,
      (rt) => rt.bytearray(n),
    ]),
    ...Array.from({ length: 13 }, (_, n): [string, string, (rt: ModelRuntime) => void] => [
      `list display of ${n}`,
      `x = ${display(n, '[', ']')}`,
      (rt) => rt.list(items(n)),
    ]),
    ...[0, 1, 4, 5, 10, 33].map((n): [string, string, (rt: ModelRuntime) => void] => [
      `[0] * ${n}`,
      `x = [0] * ${n}`,
      (rt) => rt.repeatList([null], n),
    ]),
    ...[1, 4, 5, 8, 9, 17, 33, 100].map((n): [string, string, (rt: ModelRuntime) => void] => [
      `list grown by ${n} appends`,
      `x = []\nfor i in range(${n}):\n    x.append(i)`,
      (rt) => {
        const list = rt.list([]);
        for (let i = 0; i < n; i++) rt.append(list, null);
      },
    ]),
    ...Array.from({ length: 11 }, (_, n): [string, string, (rt: ModelRuntime) => void] => [
      `tuple of ${n}`,
      `x = ${display(n, '(', ')')}`,
      (rt) => rt.tuple(items(n)),
    ]),
    ...[2, 5, 15, 16, 31, 32, 100].map((n): [string, string, (rt: ModelRuntime) => void] => [
      `str of ${n}`,
      `x = "q" * (one * ${n})`,
      (rt) => rt.str(n),
    ]),
    ['bytes(20)', 'x = bytes(20)', (rt) => rt.str(20)],
    ['bound method', 'x = inst.m', (rt) => rt.boundMethod(null)],
    ['user instance', 'x = C()', (rt) => rt.instance()],
    ...[1, 2, 3, 5, 7, 13].map((k): [string, string, (rt: ModelRuntime) => void] => [
      `instance with ${k} attributes`,
      `x = D${k}()`,
      (rt) => {
        const instance = rt.instance();
        for (let i = 0; i < k; i++) rt.setNewAttribute(instance, null);
      },
    ]),
  ];

  for (const [name, code, build] of cases) {
    it(name, () => {
      expect(measured(code)).toBe(modelled(build));
    });
  }

  it('matches the size table and the rp2 firmware figures (facts §9)', () => {
    const rp2 = rp2Config('1.28.0');
    const blocks = (spec: string): number => 16 * objectBlocks(rp2, parseObjectSpec(spec));
    expect([blocks('float'), blocks('int'), blocks('bytearray(48)'), blocks('list(10)')]).toEqual([
      16, 0, 64, 64,
    ]);
    expect(16 * objectBlocks(wasm, parseObjectSpec('bytearray(48)'))).toBe(measured('x = bytearray(48)'));
    expect(16 * objectBlocks(wasm, parseObjectSpec('instance(5)'))).toBe(measured('x = D5()'));
    expect(16 * objectBlocks(wasm, parseObjectSpec('bigint(136)'))).toBe(
      measured('x = int.from_bytes(B17, "little")'),
    );
  });
});
