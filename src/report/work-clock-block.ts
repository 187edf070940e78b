import { z } from 'zod';

/**
 * The `workClock` block of a report of a run on the virtual Pico timed by its work clock: the
 * calibration that turned the VM's counted work into the Pico µs the run reports, and its residuals
 * configuration by configuration (the stock build's pause beside the virtual Pico's fit). The pauses
 * of such a run are estimates; this is how good the estimate was where it could be checked. Boards,
 * the emulated RP2040 and replays measure their pauses and have no block. The schema stands alone
 * (zod only): the report reads the block, the runner fills it from src/sim's calibration.
 */
export const WORK_CLOCK_BLOCK_SCHEMA = 'picogc.work-clock-residuals/1';

const residualSchema = z.object({
  /** The configuration, as a metric id: `pause-vs-live/n=1000`. */
  config: z.string(),
  /** The stock build's median pause there, µs. */
  buildUs: z.number(),
  /** The virtual Pico's pause there by the calibration, µs. */
  fittedUs: z.number(),
  /** fittedUs / buildUs − 1. */
  relativeError: z.number(),
});
export type WorkClockResidual = z.infer<typeof residualSchema>;

const setAsideSchema = residualSchema.extend({
  /** The highest block in use in the build's heap map: how far its sweep went. */
  buildSweptTo: z.number().int(),
  /** The blocks the virtual Pico's closing collection swept. */
  vmSweptTo: z.number().int(),
  /** The fit for the virtual Pico's work had it swept as far as the build did, µs. */
  fittedAtBuildSweepUs: z.number(),
  /** fittedAtBuildSweepUs / buildUs − 1. */
  relativeErrorAtBuildSweep: z.number(),
  /** Why the configuration is kept out of the fit. */
  why: z.string(),
});
export type WorkClockSetAside = z.infer<typeof setAsideSchema>;

export const workClockBlockSchema = z.object({
  schema: z.literal(WORK_CLOCK_BLOCK_SCHEMA),
  calibration: z.object({
    /** The calibration file's own schema version. */
    schema: z.string(),
    /** Which file: the one picogc ships, or `$PICOGC_WORK_CLOCK_CALIBRATION`. */
    source: z.string(),
    summary: z.string(),
    /** The firmware whose pauses it was fitted to. */
    firmware: z.string(),
    vm: z.string(),
    date: z.string(),
  }),
  /** A Pico's pause = collectionFixedUs + (cyclesPerCount · instructions + cyclesPerTable · br_tables) / picoHz. */
  coefficients: z.object({
    picoHz: z.number().positive(),
    cyclesPerCount: z.number().nonnegative(),
    cyclesPerTable: z.number().nonnegative(),
    collectionFixedUs: z.number().nonnegative(),
    /** Instructions the virtual Pico counts to walk one free block in a sweep (for the set-aside rows). */
    freeBlockInstructions: z.number().positive(),
  }),
  /** The largest |relative error| of the fit over `fitted`, as the fit computed it (unrounded pauses). */
  worstRelativeError: z.number().nonnegative(),
  /** The configurations the coefficients were fitted to. */
  fitted: z.array(residualSchema),
  /** Configurations kept out of the fit, each with the fit at the sweep the build really did. */
  setAside: z.array(setAsideSchema),
});
export type WorkClockBlock = z.infer<typeof workClockBlockSchema>;

/** What the block needs of a calibration (src/sim/work-clock.ts's `WorkClockCalibration` is one). */
export interface CalibrationLike {
  schema: string;
  picoHz: number;
  cyclesPerCount: number;
  cyclesPerTable: number;
  collectionFixedUs: number;
  provenance: {
    summary: string;
    fittedTo: readonly { config: string; picoUs: number; fittedUs: number }[];
    setAside: readonly {
      config: string;
      picoUs: number;
      fittedUs: number;
      picoSweptTo: number;
      vmSweptTo: number;
      fittedAtPicoSweepUs: number;
    }[];
    freeBlockInstructions: number;
    worstRelativeError: number;
    firmware: string;
    vm: string;
    date: string;
  };
}

/** The block for a calibration: its coefficients, provenance and every residual, as the file has them. */
export function workClockBlock(calibration: CalibrationLike, source: string): WorkClockBlock {
  const p = calibration.provenance;
  const residual = (config: string, buildUs: number, fittedUs: number): WorkClockResidual => ({
    config,
    buildUs,
    fittedUs,
    relativeError: fittedUs / buildUs - 1,
  });
  return {
    schema: WORK_CLOCK_BLOCK_SCHEMA,
    calibration: {
      schema: calibration.schema,
      source,
      summary: p.summary,
      firmware: p.firmware,
      vm: p.vm,
      date: p.date,
    },
    coefficients: {
      picoHz: calibration.picoHz,
      cyclesPerCount: calibration.cyclesPerCount,
      cyclesPerTable: calibration.cyclesPerTable,
      collectionFixedUs: calibration.collectionFixedUs,
      freeBlockInstructions: p.freeBlockInstructions,
    },
    worstRelativeError: p.worstRelativeError,
    fitted: p.fittedTo.map((f) => residual(f.config, f.picoUs, f.fittedUs)),
    setAside: p.setAside.map((s) => ({
      ...residual(s.config, s.picoUs, s.fittedUs),
      buildSweptTo: s.picoSweptTo,
      vmSweptTo: s.vmSweptTo,
      fittedAtBuildSweepUs: s.fittedAtPicoSweepUs,
      relativeErrorAtBuildSweep: s.fittedAtPicoSweepUs / s.picoUs - 1,
      why:
        `the build swept to block ${s.picoSweptTo}, ${s.picoSweptTo - s.vmSweptTo} blocks past the virtual ` +
        `Pico (${s.vmSweptTo}): on that build an object the script does not hold stays alive above the live ` +
        'set (a false root), so its pause holds a longer sweep than the live set needs',
    })),
  };
}

/** The fitted configuration with the largest |relative error|. */
export function worstFitted(block: WorkClockBlock): WorkClockResidual | undefined {
  return block.fitted.reduce<WorkClockResidual | undefined>(
    (worst, r) =>
      worst === undefined || Math.abs(r.relativeError) > Math.abs(worst.relativeError) ? r : worst,
    undefined,
  );
}
