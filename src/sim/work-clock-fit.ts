import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linearRegression } from 'simple-statistics';
import { reportSchema } from '../report/schema.ts';
import { VM_PACKAGE, VM_VERSION } from './capabilities.ts';
import {
  CALIBRATION_ENV,
  CALIBRATION_FILE,
  workClockCalibration,
  workClockCalibrationSchema,
  type WorkClockCalibration,
} from './work-clock.ts';

/**
 * The first fit of the work clock (work-clock.calibration.json): the closing collection's counted
 * instructions on the virtual Pico for the live sets of pause-vs-live, against the pauses a stock
 * MicroPython v1.28.0 RPI_PICO build took for the same live sets on an emulated RP2040 (the four
 * figures below, as given to the project; nothing else of real firmware is used). A straight line,
 * pause = collectionFixedUs + counts × cyclesPerCount / picoHz, by least squares.
 *
 * The counts come from `picogc run --quick` itself, so they are taken in the state a run measures
 * in: the run is made with a calibration whose conversion is the identity (1 µs per count, nothing
 * fixed), so its pause-vs-live pauses are the counts.
 *
 *   npx tsx src/sim/work-clock-fit.ts           print the fit
 *   npx tsx src/sim/work-clock-fit.ts --write   and write it to work-clock.calibration.json
 */
export const REAL_FIRMWARE_PAUSES_US: ReadonlyArray<{ live: number; picoUs: number }> = [
  { live: 0, picoUs: 1219 },
  { live: 500, picoUs: 8486 },
  { live: 1000, picoUs: 12909 },
  { live: 2000, picoUs: 22024 },
];

const PICO_HZ = 125_000_000; // machine.freq() of a stock RPI_PICO build (facts §9)
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Counted instructions of pause-vs-live's closing collections in a quick run, by live objects. */
export function quickRunCounts(): Map<number, number> {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-fit-'));
  try {
    const identity: WorkClockCalibration = {
      ...workClockCalibration(),
      cyclesPerCount: PICO_HZ / 1e6,
      collectionFixedUs: 0,
    };
    const calibration = join(dir, 'identity.json');
    writeFileSync(calibration, JSON.stringify(identity));
    const out = join(dir, 'reports');
    const run = spawnSync(
      process.execPath,
      ['bin/picogc.js', 'run', '--quick', '--device', 'sim', '--clock', 'work', '--no-history', '--out', out],
      { cwd: REPO, env: { ...process.env, CI: 'true', [CALIBRATION_ENV]: calibration }, encoding: 'utf8' },
    );
    if (run.status !== 0 && run.status !== 1) throw new Error(`picogc run --quick failed: ${run.stderr}`);
    const report = reportSchema.parse(
      JSON.parse(readFileSync(join(out, readlinkSync(join(out, 'latest')), 'report.json'), 'utf8')),
    );
    const samples = report.experiments.find((e) => e.id === 'pause-vs-live')?.samples ?? [];
    const counts = new Map<number, number>();
    for (const s of samples) {
      if (s.type !== 'pause') continue;
      const seen = counts.get(s.nLive as number);
      if (seen !== undefined && seen !== s.us)
        throw new Error(`pause-vs-live's pauses at ${String(s.nLive)} live differ`);
      counts.set(s.nLive as number, s.us as number);
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fit(
  points: ReadonlyArray<{ live: number; picoUs: number; vmCounts: number }>,
  date: string,
): WorkClockCalibration {
  const { m, b } = linearRegression(points.map((p) => [p.vmCounts, p.picoUs]));
  const fittedTo = points.map((p) => ({ ...p, fittedUs: Math.round(b + m * p.vmCounts) }));
  return workClockCalibrationSchema.parse({
    schema: 'picogc.work-clock-calibration/1',
    picoHz: PICO_HZ,
    cyclesPerCount: m * (PICO_HZ / 1e6),
    collectionFixedUs: b,
    provenance: {
      summary:
        'First fit, by least squares over four points only: the closing collection of the virtual Pico (counted wasm instructions, in pause-vs-live of `picogc run --quick`) against the pause of gc.collect() timed with ticks_us on a stock MicroPython v1.28.0 RPI_PICO build in an emulated RP2040, with 0, 500, 1000 and 2000 live bytearray(48). Not fitted to a board, to other object kinds or other heap layouts; a later step fits it to more real-firmware pauses.',
      fittedTo,
      firmware: 'MicroPython v1.28.0 RPI_PICO, a stock build, on an emulated RP2040 (machine.freq() 125 MHz)',
      vm: `${VM_PACKAGE} ${VM_VERSION}, instrumented by src/sim/instrument-vm.mjs`,
      date,
    },
  });
}

function main(): void {
  const counts = quickRunCounts();
  const points = REAL_FIRMWARE_PAUSES_US.map(({ live, picoUs }) => {
    const vmCounts = counts.get(live);
    if (vmCounts === undefined) throw new Error(`the quick run measured no pause at ${live} live objects`);
    return { live, picoUs, vmCounts };
  });
  const text = `${JSON.stringify(fit(points, new Date().toISOString().slice(0, 10)), null, 2)}\n`;
  process.stdout.write(text);
  if (process.argv.includes('--write')) writeFileSync(CALIBRATION_FILE, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
