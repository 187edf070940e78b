import { z } from 'zod';

/**
 * One rung of the recovery ladder (labgrid's "strategy": from any state back to a raw prompt), as it
 * is written to results.jsonl the moment it ends and kept in report.json under `recovery`. A nightly
 * that ran unattended must say afterwards what it did to a board and whether it helped.
 */
export const RECOVERY_RUNGS = [
  /** Ctrl-C and re-enter the raw REPL, then a probe exec. */
  'interrupt',
  /** Re-enter, Ctrl-D (soft reset), then a probe exec. */
  'soft-reset',
  /** The user's `--power-cycle` command, run through a shell with a deadline. */
  'power-cycle',
  /** Waiting for the board to come back (same USB serial or unique id, possibly a new path). */
  're-enumerate',
  /** Opening the board again and checking it is the same board. */
  'reconnect',
  /** Nothing more to try: the board is marked failed. */
  'give-up',
  /** An upload arrived damaged (the device's stub refused it, or its call failed before it ran): sent again. */
  'resend',
  /** Data lines arrived damaged or not at all: the device printed them again (the step did not run again). */
  'ask-again',
  /** A step's answer arrived damaged (its end marker, or text the firmware prints itself): the step ran again. */
  'rerun-step',
  /** The device rebooted in the middle of the experiment (or while it was identified): it started again from a fresh interpreter. */
  'reset-detected',
  /** A deadline passed: the device's pace was measured again and its deadlines follow it from then on. */
  're-pace',
  /** A script upload may have run on a damaged try: soft reset, and the scripts uploaded again. */
  'reupload',
] as const;
export type RecoveryRung = (typeof RECOVERY_RUNGS)[number];

export const recoveryEventSchema = z.object({
  /** ISO time the rung ended. */
  at: z.string(),
  /** The experiment that was running when the board stopped answering. */
  experiment: z.string(),
  rung: z.enum(RECOVERY_RUNGS),
  ok: z.boolean(),
  /** What was done and what came of it (an error message, the command and its exit status). */
  detail: z.string(),
  ms: z.number().nonnegative(),
});
export type RecoveryEvent = z.infer<typeof recoveryEventSchema>;

/** report.json's `notRun`: experiments a run did not start because the board was lost or the run stopped. */
export const notRunSchema = z.object({ experiments: z.array(z.string()), reason: z.string() });

/** What the runner hands to a recovery strategy when a device stopped answering. */
export interface RecoveryRequest {
  experiment: string;
  error: unknown;
  /** Record one rung: it goes to results.jsonl at once and to the report. */
  record(event: Omit<RecoveryEvent, 'at' | 'experiment'>): void;
}
