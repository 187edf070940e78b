import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The work clock's conversion from counted wasm instructions (instrument-vm.ts) to Pico time: a
 * Pico runs `cyclesPerCount` cycles at `picoHz` for each instruction the VM counts, and a closing
 * collection costs a Pico `collectionFixedUs` more than its counted work (roots, stacks and the
 * filesystem's blocks a Pico has and the VM lacks). An estimate from a fit, not a measurement: the
 * provenance says which pauses it was fitted to.
 */
export const workClockCalibrationSchema = z.object({
  schema: z.literal('picogc.work-clock-calibration/1'),
  picoHz: z.number().positive(),
  cyclesPerCount: z.number().positive(),
  collectionFixedUs: z.number().nonnegative(),
  provenance: z.object({
    summary: z.string(),
    /** The points of the fit: the configuration (a metric id), the real pause, the VM's count, the fit's pause. */
    fittedTo: z.array(
      z.object({
        config: z.string(),
        picoUs: z.number(),
        vmCounts: z.number(),
        fittedUs: z.number(),
      }),
    ),
    /** The largest |fitted / real − 1| over those points. */
    worstRelativeError: z.number().nonnegative(),
    firmware: z.string(),
    vm: z.string(),
    date: z.string(),
  }),
});
export type WorkClockCalibration = z.infer<typeof workClockCalibrationSchema>;

export const CALIBRATION_FILE = new URL('./work-clock.calibration.json', import.meta.url);

/** A calibration file to use instead of the shipped one (for fitting a new one). */
export const CALIBRATION_ENV = 'PICOGC_WORK_CLOCK_CALIBRATION';

let loaded: WorkClockCalibration | undefined;

/** The calibration in use: the shipped one, or `$PICOGC_WORK_CLOCK_CALIBRATION` (checked once per process). */
export function workClockCalibration(): WorkClockCalibration {
  loaded ??= parseCalibration(readFileSync(process.env[CALIBRATION_ENV] || CALIBRATION_FILE, 'utf8'));
  return loaded;
}

export function parseCalibration(text: string): WorkClockCalibration {
  return workClockCalibrationSchema.parse(JSON.parse(text));
}

/** Pico µs per counted instruction. */
export function usPerCount(c: WorkClockCalibration): number {
  return (c.cyclesPerCount / c.picoHz) * 1e6;
}

/** A closing collection's pause on a Pico, µs, from the instructions the VM counted in it. */
export function pauseUs(c: WorkClockCalibration, counts: number): number {
  return c.collectionFixedUs + counts * usPerCount(c);
}
