import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../src/analysis/stats.ts';
import { reportSchema } from '../src/report/schema.ts';
import { VM_PACKAGE, VM_VERSION } from '../src/sim/capabilities.ts';
import {
  CALIBRATION_ENV,
  CALIBRATION_FILE,
  workClockCalibration,
  workClockCalibrationSchema,
  type WorkClockCalibration,
} from '../src/sim/work-clock.ts';

/**
 * The fit of the work clock (work-clock.calibration.json): for every configuration of the default
 * profile's timed experiments (pause-vs-live, pause-vs-heap-position, mark-overflow), the closing
 * collection's counted instructions on the virtual Pico against the pause a stock MicroPython
 * v1.28.0 RPI_PICO build took on the emulated RP2040, as its golden recording holds it
 * (test/golden/v1.28.0/validate.rec.gz, replayed). A straight line,
 * pause = collectionFixedUs + counts × cyclesPerCount / picoHz, chosen to make the largest relative
 * error over the configurations as small as it can be (the goal is a Pico's curves within ±15%).
 *
 * The counts come from `picogc run` itself, so they are taken in the state a run measures in: the
 * run is made with the identity conversion (1 µs per count, nothing fixed), so its pauses are the
 * counts.
 *
 *   npx tsx scripts/fit-work-clock.ts           print the fit
 *   npx tsx scripts/fit-work-clock.ts --write   and write it to work-clock.calibration.json
 */
export const FIT_EXPERIMENTS = ['pause-vs-live', 'pause-vs-heap-position', 'mark-overflow'];
export const GOLDEN_V1_28 = 'test/golden/v1.28.0/validate.rec.gz';

const PICO_HZ = 125_000_000; // machine.freq() of a stock RPI_PICO build (facts §9)
const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Median pause (µs) of every timed configuration in a picogc command's report, by metric id. */
function pausesOf(args: string[], env: NodeJS.ProcessEnv = {}): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-fit-'));
  try {
    const out = join(dir, 'reports');
    const run = spawnSync(process.execPath, ['bin/picogc.js', ...args, '--out', out], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', ...env },
      encoding: 'utf8',
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`picogc ${args[0]} failed: ${run.stderr}`);
    const report = reportSchema.parse(
      JSON.parse(readFileSync(join(out, readlinkSync(join(out, 'latest')), 'report.json'), 'utf8')),
    );
    const pauses = new Map<string, number>();
    for (const experiment of report.experiments) {
      if (!FIT_EXPERIMENTS.includes(experiment.id)) continue;
      for (const metric of experiment.metrics)
        if (metric.unit === 'µs') pauses.set(metric.id, median(metric.values));
    }
    return pauses;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The real firmware's pauses: the golden v1.28.0 recording of `validate` (default profile), replayed. */
export function goldenPauses(): Map<string, number> {
  return pausesOf(['validate', '--device', `replay:${GOLDEN_V1_28}`]);
}

/** The virtual Pico's counted instructions for the same configurations (default profile). */
export function defaultProfileCounts(): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-identity-'));
  try {
    const identity: WorkClockCalibration = {
      ...workClockCalibration(),
      cyclesPerCount: PICO_HZ / 1e6,
      collectionFixedUs: 0,
    };
    const calibration = join(dir, 'identity.json');
    writeFileSync(calibration, JSON.stringify(identity));
    return pausesOf(
      ['run', '--device', 'sim', '--clock', 'work', '--no-history', '-e', FIT_EXPERIMENTS.join(',')],
      { [CALIBRATION_ENV]: calibration },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FitPoint {
  config: string;
  picoUs: number;
  vmCounts: number;
}

/**
 * The line a + b·counts whose largest relative error over the points is least. The largest of the
 * errors' absolute values is convex in (a, b), so a search along each in turn finds it.
 */
export function minimaxLine(points: readonly FitPoint[]): { a: number; b: number; worst: number } {
  const worst = (a: number, b: number) =>
    Math.max(...points.map((p) => Math.abs((a + b * p.vmCounts) / p.picoUs - 1)));
  const bestB = (a: number) => {
    const slopes = points.map((p) => Math.max(p.picoUs - a, 0) / Math.max(p.vmCounts, 1));
    return ternary(Math.min(...slopes) / 2, Math.max(...slopes) * 2, (b) => worst(a, b));
  };
  const top = Math.min(...points.map((p) => p.picoUs));
  const a = ternary(0, top, (x) => worst(x, bestB(x)));
  const b = bestB(a);
  return { a, b, worst: worst(a, b) };
}

function ternary(lo: number, hi: number, f: (x: number) => number): number {
  for (let i = 0; i < 200; i++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (f(m1) <= f(m2)) hi = m2;
    else lo = m1;
  }
  return (lo + hi) / 2;
}

export function fit(points: readonly FitPoint[], date: string): WorkClockCalibration {
  const { a, b, worst } = minimaxLine(points);
  const fittedTo = points.map((p) => ({ ...p, fittedUs: Math.round(a + b * p.vmCounts) }));
  return workClockCalibrationSchema.parse({
    schema: 'picogc.work-clock-calibration/1',
    picoHz: PICO_HZ,
    cyclesPerCount: b * (PICO_HZ / 1e6),
    collectionFixedUs: a,
    provenance: {
      summary:
        `Fitted to the ${points.length} timed configurations of the default profile (pause-vs-live, ` +
        'pause-vs-heap-position, mark-overflow): the closing collection of the virtual Pico (counted wasm ' +
        'instructions) against the median pause of gc.collect() timed with ticks_us on a stock MicroPython ' +
        `v1.28.0 RPI_PICO build on an emulated RP2040 (${GOLDEN_V1_28}). The line that makes the largest ` +
        `relative error least: ±${(worst * 100).toFixed(1)}%. What one line cannot absorb: the RP2040 ` +
        "prices a sweep's block walk higher, and the overflow rescan's lower, than the VM's wasm does, and " +
        "the VM's heap holds other boot-time objects than a Pico's.",
      fittedTo,
      worstRelativeError: worst,
      firmware: 'MicroPython v1.28.0 RPI_PICO, a stock build, on an emulated RP2040 (machine.freq() 125 MHz)',
      vm: `${VM_PACKAGE} ${VM_VERSION}, instrumented by src/sim/instrument-vm.mjs`,
      date,
    },
  });
}

function main(): void {
  const real = goldenPauses();
  const counts = defaultProfileCounts();
  const points = [...real].map(([config, picoUs]) => {
    const vmCounts = counts.get(config);
    if (vmCounts === undefined) throw new Error(`the virtual Pico measured no pause for ${config}`);
    return { config, picoUs, vmCounts };
  });
  const text = `${JSON.stringify(fit(points, new Date().toISOString().slice(0, 10)), null, 2)}\n`;
  process.stdout.write(text);
  if (process.argv.includes('--write')) writeFileSync(CALIBRATION_FILE, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
