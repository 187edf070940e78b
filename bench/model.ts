import { quantile } from 'simple-statistics';
import type { CollectionWork } from '../src/model/collector.ts';
import { parseObjectSpec } from '../src/model/object-sizes.ts';
import { fitPauseCost } from '../src/model/pause-cost.ts';
import { rp2Config, wasmPyscriptConfig, type PortConfig } from '../src/model/port-config.ts';
import { buildLiveSet, type LiveShape } from '../src/model/scenario.ts';
import { loadVm, type MicroPythonVm } from '../src/model/testing/vm.ts';
import type { BenchModule } from './bench-module.ts';

const LIVE = 2000;
const OBJECT = 'bytearray(48)';
const HEAPS = [
  { name: 'pico', heapsize: 251_700 },
  { name: '192KiB', heapsize: 196_608 },
];
const VM_REPS = 300;
const MODEL_REPS = 300;
const WARMUP = 30;

/**
 * The GC model against the real VM in one process:
 * 1. Time for the model to run one full collection of 2000 live bytearray(48) held in a list,
 *    next to the VM's own closing collection of the same live set (`runPython('gc.collect()')`
 *    minus `runPython('gc.enable()')`, which compiles alike and collects nothing), for a
 *    Pico-sized heap (GC total 245888) and a 192 KiB one. Goal: model ≤ 3× the VM.
 * 2. The mark-stack cliff on the VM: closing-collection time for lists of 63–66 live objects
 *    and (obj, next) chains of 64–65, with the model's rescan counters for the same shapes.
 * 3. A pause-cost fit: VM pauses for growing live sets against the model's work counters.
 * VM times are host wall-clock medians (µs) of interleaved repetitions; the threshold is turned
 * off so no baseline call collects.
 */
export const modelBench: BenchModule = {
  name: 'model',
  async run() {
    const collections = [];
    for (const heap of HEAPS) collections.push(await compareCollection(heap.name, heap.heapsize));
    const cliff = await markStackCliff();
    const fit = await pauseFit();
    return { live: LIVE, object: OBJECT, collections, cliff, fit };
  },
};

async function compareCollection(name: string, heapsize: number) {
  const vm = await freshVm(heapsize);
  vm.exec(`keep = [bytearray(48) for i in range(${LIVE})]`);
  const vmUs = vmCollectUs(vm, VM_REPS);
  const wasm = wasmPyscriptConfig('1.27.0');
  const model = timeModelCollection(wasm, heapsize);
  const rp2 = timeModelCollection(rp2Config('1.28.0'), heapsize);
  return {
    heap: name,
    heapsize,
    vmCollectUs: round(vmUs.collect),
    vmBaselineUs: round(vmUs.baseline),
    vmClosingCollectionUs: round(vmUs.collect - vmUs.baseline),
    modelCollectionUs: round(model.us),
    ratioModelToVm: round(model.us / (vmUs.collect - vmUs.baseline), 2),
    modelWork: model.work,
    rp2PresetModelCollectionUs: round(rp2.us),
  };
}

async function markStackCliff() {
  const points: { shape: LiveShape; live: number }[] = [
    { shape: 'list', live: 63 },
    { shape: 'list', live: 64 },
    { shape: 'list', live: 65 },
    { shape: 'list', live: 66 },
    { shape: 'chain', live: 64 },
    { shape: 'chain', live: 65 },
    { shape: 'chain', live: 200 },
  ];
  const vm = await freshVm(251_700);
  const wasm = wasmPyscriptConfig('1.27.0');
  const out = [];
  for (const { shape, live } of points) {
    vm.exec(liveSetSource(shape, live, 'bytearray(8)'));
    const { collect, baseline } = vmCollectUs(vm, 200);
    const { heap } = buildLiveSet({
      config: wasm,
      heapBytes: 251_700,
      live,
      object: parseObjectSpec('bytearray(8)'),
      shape,
    });
    const { work } = heap.collectNow('explicit');
    out.push({ shape, live, vmClosingCollectionUs: round(collect - baseline), modelRescans: work.rescans });
  }
  return out;
}

async function pauseFit() {
  const wasm = wasmPyscriptConfig('1.27.0');
  const vm = await freshVm(251_700);
  const samples: (CollectionWork & { pauseUs: number; shape: LiveShape; live: number })[] = [];
  const points: [LiveShape, number][] = [
    ...[0, 50, 250, 500, 1000, 1500, 2000].map((n): [LiveShape, number] => ['list', n]),
    ...[20, 60, 100, 200, 400].map((n): [LiveShape, number] => ['chain', n]),
  ];
  for (const [shape, live] of points) {
    vm.exec(liveSetSource(shape, live, OBJECT));
    const { collect, baseline } = vmCollectUs(vm, 150);
    const { heap } = buildLiveSet({
      config: wasm,
      heapBytes: 251_700,
      live,
      object: parseObjectSpec(OBJECT),
      shape,
    });
    const { work } = heap.collectNow('explicit');
    samples.push({ ...work, pauseUs: collect - baseline, shape, live });
  }
  const fit = fitPauseCost(samples);
  return {
    samples: samples.map((s) => ({
      shape: s.shape,
      live: s.live,
      pauseUs: round(s.pauseUs),
      wordsScanned: s.wordsScanned,
      blocksSwept: s.blocksSwept,
      blocksRescanned: s.blocksRescanned,
    })),
    coefficients: fit.coefficients,
    standardErrors: fit.standardErrors,
    r2: fit.r2 === null ? null : round(fit.r2, 4),
    notes: fit.notes,
  };
}

async function freshVm(heapsize: number): Promise<MicroPythonVm> {
  const vm = await loadVm(heapsize);
  // No threshold: the baseline executions must never end with a collection.
  vm.exec('import gc\ngc.threshold(-1)\nkeep = None');
  return vm;
}

function liveSetSource(shape: LiveShape, live: number, object: string): string {
  if (shape === 'chain')
    return `keep = None\nfor i in range(${live}):\n    keep = (${object}, keep)\ngc.collect()`;
  return `keep = [${object} for i in range(${live})]\ngc.collect()`;
}

/** Medians of interleaved executions: one that collects as it returns, one that does not. */
function vmCollectUs(vm: MicroPythonVm, reps: number): { collect: number; baseline: number } {
  const collect: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < WARMUP + reps; i++) {
    const a = performance.now();
    vm.exec('gc.collect()');
    const b = performance.now();
    vm.exec('gc.enable()');
    const c = performance.now();
    if (i >= WARMUP) {
      collect.push((b - a) * 1000);
      baseline.push((c - b) * 1000);
    }
  }
  return { collect: quantile(collect, 0.5), baseline: quantile(baseline, 0.5) };
}

function timeModelCollection(config: PortConfig, heapsize: number): { us: number; work: CollectionWork } {
  const { heap } = buildLiveSet({
    config,
    heapBytes: heapsize,
    live: LIVE,
    object: parseObjectSpec(OBJECT),
    shape: 'list',
  });
  let work = heap.collectNow('explicit').work;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + MODEL_REPS; i++) {
    const start = performance.now();
    work = heap.collectNow('explicit').work;
    if (i >= WARMUP) times.push((performance.now() - start) * 1000);
  }
  heap.collections.length = 0;
  return { us: quantile(times, 0.5), work };
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
