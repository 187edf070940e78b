import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { linearRegression } from 'simple-statistics';
import { openDevice } from '../device/open.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import { uploadScripts } from '../device/scripts.ts';
import { rebuild } from '../experiments/rebuild.ts';
import { VM_PACKAGE, VM_VERSION } from './capabilities.ts';
import { CALIBRATION_FILE, workClockCalibrationSchema, type WorkClockCalibration } from './work-clock.ts';

/**
 * The first fit of the work clock (work-clock.calibration.json): the closing collection's counted
 * instructions on the virtual Pico for the live sets of pause-vs-live, against the pauses a stock
 * MicroPython v1.28.0 RPI_PICO build took for the same live sets on an emulated RP2040 (the four
 * figures below, as given by the project; nothing else of real firmware is used). A straight line,
 * pause = collectionFixedUs + counts × cyclesPerCount / picoHz, by least squares.
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

/** Counted instructions of the closing collection with `live` bytearray(48) alive (as pause-vs-live builds them). */
export async function collectionCounts(device: ReplDevice, live: number): Promise<number> {
  await rebuild(device, `build(${live}, 48)`, 60_000);
  await device.exec('import gc\ngc.collect()'); // the first one also frees the build's garbage
  await device.exec('import gc\ngc.collect()');
  const { stdout } = await device.exec('import picogc_sim\nprint(picogc_sim.last_collect_work())');
  return Number(stdout.trim());
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
        'First fit, by least squares over four points only: the closing collection of the virtual Pico (counted wasm instructions) against the pause of gc.collect() timed with ticks_us on a stock MicroPython v1.28.0 RPI_PICO build in an emulated RP2040, with 0, 500, 1000 and 2000 live bytearray(48). Not fitted to a board, to other object kinds or other heap layouts; a later step fits it to more real-firmware pauses.',
      fittedTo,
      firmware: 'MicroPython v1.28.0 RPI_PICO, a stock build, on an emulated RP2040 (machine.freq() 125 MHz)',
      vm: `${VM_PACKAGE} ${VM_VERSION}, instrumented by src/sim/instrument-vm.ts`,
      date,
    },
  });
}

async function main(): Promise<void> {
  const device = await openDevice({ device: 'sim', clock: 'work' });
  try {
    // As a run does before its experiments: what info() loads sits in the heap during every pause.
    await device.info();
    await uploadScripts(device, ['pause']);
    const points = [];
    for (const { live, picoUs } of REAL_FIRMWARE_PAUSES_US) {
      points.push({ live, picoUs, vmCounts: await collectionCounts(device, live) });
    }
    const calibration = fit(points, new Date().toISOString().slice(0, 10));
    const text = `${JSON.stringify(calibration, null, 2)}\n`;
    process.stdout.write(text);
    if (process.argv.includes('--write')) writeFileSync(CALIBRATION_FILE, text);
  } finally {
    await device.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
