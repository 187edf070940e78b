import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The work clock's conversion from counted wasm instructions (instrument-vm.ts) to Pico time: a
 * Pico runs `cyclesPerCount` cycles at `picoHz` for each instruction the VM counts, and
 * `cyclesPerTable` more for each of them that is a `br_table` (a C switch, which a Cortex-M0+ runs
 * through a case-table helper; py/gc.c's sweep runs one per heap block), and a closing collection
 * costs a Pico `collectionFixedUs` more than its counted work (roots, stacks and the filesystem's
 * blocks a Pico has and the VM lacks). An estimate from a fit, not a measurement: the provenance
 * says which pauses it was fitted to.
 */
const fitPointSchema = z.object({
  config: z.string(),
  picoUs: z.number(),
  vmCounts: z.number(),
  vmTables: z.number(),
  fittedUs: z.number(),
});

export const workClockCalibrationSchema = z.object({
  schema: z.literal('picogc.work-clock-calibration/2'),
  picoHz: z.number().positive(),
  cyclesPerCount: z.number().nonnegative(),
  cyclesPerTable: z.number().nonnegative(),
  collectionFixedUs: z.number().nonnegative(),
  provenance: z.object({
    summary: z.string(),
    /** The points of the fit: the configuration (a metric id), the real pause, the VM's counts, the fit's pause. */
    fittedTo: z.array(fitPointSchema),
    /**
     * Configurations kept out of the fit: the build swept far past the virtual Pico (a false root
     * keeps an object above the live set), each with the fit at the build's sweep.
     */
    setAside: z.array(
      fitPointSchema.extend({
        picoSweptTo: z.number().int(),
        vmSweptTo: z.number().int(),
        fittedAtPicoSweepUs: z.number(),
      }),
    ),
    /** Instructions the virtual Pico counts to walk one free block in a sweep. */
    freeBlockInstructions: z.number().positive(),
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

/** Pico µs per counted `br_table`, over what it costs as a counted instruction. */
export function usPerTable(c: WorkClockCalibration): number {
  return (c.cyclesPerTable / c.picoHz) * 1e6;
}

/** A closing collection's pause on a Pico, µs, from the instructions and tables the VM counted in it. */
export function pauseUs(c: WorkClockCalibration, counts: number, tables: number): number {
  return c.collectionFixedUs + counts * usPerCount(c) + tables * usPerTable(c);
}
