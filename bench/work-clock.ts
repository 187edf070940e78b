import { runPicogc } from './picogc-child.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { openDevice } from '../src/device/open.ts';
import type { ReplDevice } from '../src/device/repl-device.ts';
import { locate } from '../src/sim/instrumented-vm-cache.ts';
import type { ClockKind } from '../src/sim/vm-protocol.ts';
import type { BenchModule } from './bench-module.ts';

const CLOCKS: ClockKind[] = ['host', 'work'];

/**
 * What the work clock costs:
 * 1. Instrumenting the VM's wasm with binaryen: cold (nothing cached; the first build also loads
 *    binaryen), rebuilt (binaryen loaded), and cached (what a VM boot pays once per process).
 * 2. The VM's slowdown: the same executions on the package's VM (`--clock host`) and on the
 *    instrumented one (`--clock work`), interleaved, host wall time of each (median).
 * 3. `picogc run --quick --no-history --device sim` wall time per clock, as separate processes,
 *    interleaved. Goal: the work clock at most 1.5× the host clock.
 */
export const workClockBench: BenchModule = {
  name: 'work-clock',
  async run() {
    const instrumentation = await instrumentationMs();
    const vm = await vmSlowdown(Number(process.env.PICOGC_WORK_CLOCK_REPS ?? 9));
    const quick = await quickSuite(Number(process.env.PICOGC_WORK_CLOCK_QUICK_RUNS ?? 3));
    return { instrumentation, vm, quick };
  },
};

async function instrumentationMs() {
  const cacheDir = mkdtempSync(join(tmpdir(), 'picogc-bench-cache-'));
  try {
    const cold = await locate({ cacheDir });
    const rebuilt: number[] = [];
    for (let i = 0; i < 3; i++) rebuilt.push((await locate({ cacheDir, rebuild: true })).ms);
    const cached: number[] = [];
    for (let i = 0; i < 9; i++) cached.push((await locate({ cacheDir })).ms);
    return {
      coldMs: round(cold.ms),
      rebuiltMedianMs: round(median(rebuilt)),
      cachedMedianMs: round(median(cached), 2),
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Executions whose host time shows the VM's own speed (little REPL traffic, much VM work). */
const WORKLOADS: Record<string, string> = {
  'python loop (300k iterations)': 'x = 0\nfor i in range(300000):\n    x += i',
  'build 2000 bytearray(48) + closing collection':
    'import gc\nlive = [bytearray(48) for i in range(2000)]\nlive = None\ngc.collect()',
  'sort 20k floats': 'v = [((i * 7919) % 10007) / 3 for i in range(20000)]\nv.sort()',
};

async function vmSlowdown(reps: number) {
  const devices = new Map<ClockKind, ReplDevice>();
  try {
    for (const clock of CLOCKS) devices.set(clock, await openDevice({ device: 'sim', clock }));
    const results = [];
    for (const [name, code] of Object.entries(WORKLOADS)) {
      const ms = new Map<ClockKind, number[]>(CLOCKS.map((c) => [c, []]));
      for (const device of devices.values()) await device.exec(code, { timeoutMs: 120_000 }); // warm-up
      for (let i = 0; i < reps; i++) {
        for (const clock of CLOCKS) {
          const started = performance.now();
          await devices.get(clock)!.exec(code, { timeoutMs: 120_000 });
          ms.get(clock)!.push(performance.now() - started);
        }
      }
      const host = median(ms.get('host')!);
      const work = median(ms.get('work')!);
      results.push({
        workload: name,
        hostClockMs: round(host),
        workClockMs: round(work),
        ratio: round(work / host, 2),
      });
    }
    return { reps, results };
  } finally {
    await Promise.all([...devices.values()].map((d) => d.close()));
  }
}

async function quickSuite(runs: number) {
  const out = mkdtempSync(join(tmpdir(), 'picogc-bench-quick-'));
  try {
    const ms = new Map<ClockKind, number[]>(CLOCKS.map((c) => [c, []]));
    for (let i = 0; i < runs; i++) {
      for (const clock of CLOCKS) ms.get(clock)!.push(await quickRunMs(clock, out));
    }
    const host = median(ms.get('host')!);
    const work = median(ms.get('work')!);
    return {
      command: 'node bin/picogc.js run --quick --no-history --device sim --clock CLOCK',
      runs,
      hostClockMs: round(host),
      workClockMs: round(work),
      ratio: round(work / host, 2),
      goal: 'ratio <= 1.5',
      samplesMs: Object.fromEntries([...ms].map(([clock, values]) => [clock, values.map((v) => round(v))])),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function quickRunMs(clock: ClockKind, out: string): Promise<number> {
  const args = [
    'bin/picogc.js',
    'run',
    '--quick',
    '--no-history',
    '--device',
    'sim',
    '--clock',
    clock,
    '--out',
    out,
  ];
  const { code, ms } = await runPicogc(args.slice(1));
  // 0 or 1 (a check failed) are runs; anything else is not a timing.
  if (code !== 0 && code !== 1) throw new Error(`picogc run --quick --clock ${clock} exited ${code}`);
  return ms;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
