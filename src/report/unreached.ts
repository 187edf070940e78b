import { z } from 'zod';
import type { DeviceTarget } from '../device/target.ts';
import { boardTagSchema } from './board-tag.ts';
import { notRunSchema } from './recovery-event.ts';
import { runHeaderShape } from './run-header.ts';

/**
 * The report of a run that never reached its device: the link died while it was opened, or the
 * board did not say who it is (its first exec). There is no device block, no experiment and no
 * sample, so it is a document of its own rather than a report.json with holes: what was asked,
 * which board, how far the run got, and the error that stopped it. It is written as the run
 * directory's report.json, with its views, and readers of measurements refuse it by name
 * (report/load.ts). Versioned like the report: a reader refuses a version it does not know.
 */
export const UNREACHED_SCHEMA = 'picogc.unreached/1';

/** Where a run can stop before its device answered, in the order a run passes them. */
export const UNREACHED_STAGES = ['flashing', 'connecting', 'identifying'] as const;
export type UnreachedStage = (typeof UNREACHED_STAGES)[number];

/** What the run was doing in each stage, for people. */
export const STAGE_TEXT: Record<UnreachedStage, string> = {
  flashing: 'flashing --firmware onto the board',
  connecting: 'opening the link and entering the raw REPL',
  identifying: 'asking the board who it is (its first exec)',
};

const TARGET_KINDS = [
  'serial',
  'tcp',
  'sim',
  'emu',
  'replay',
] as const satisfies readonly DeviceTarget['kind'][];
// Every kind of target has its place here (a new kind fails to compile until it is added).
const everyKind: Exclude<DeviceTarget['kind'], (typeof TARGET_KINDS)[number]> extends never ? true : never =
  true;
void everyKind;

/**
 * The board as it was named. `id` is what its run id and `latest-…` link carry: not the device's id
 * (the board never said it) but its USB serial when enumeration knew it, else the name it was given.
 */
export const unreachedTargetSchema = boardTagSchema
  .omit({ uniqueId: true })
  .extend({ kind: z.enum(TARGET_KINDS) });
export type UnreachedTarget = z.infer<typeof unreachedTargetSchema>;

export const unreachedSchema = z.object({
  schema: z.literal(UNREACHED_SCHEMA),
  ...runHeaderShape,
  target: unreachedTargetSchema,
  /** The stage that failed: see STAGE_TEXT. */
  stage: z.enum(UNREACHED_STAGES),
  /** The error that stopped the run: its class (LinkError, ProtocolError, TimeoutError…) and message. */
  error: z.object({ name: z.string(), message: z.string() }),
  /** Every experiment planned: none was started. */
  notRun: notRunSchema,
  verdict: z.literal('error'),
  /** A link or device failure: 3, as every picogc command exits for one. */
  exitCode: z.literal(3),
});
export type UnreachedReport = z.infer<typeof unreachedSchema>;

/** The error block of an unreached report: the error's class name (LinkError…) and its message. */
export function errorBlock(error: unknown): UnreachedReport['error'] {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** One line: how far the run got and why it stopped (`opening the link … failed: LinkError: …`). */
export function stoppedBy(stage: UnreachedStage, error: UnreachedReport['error']): string {
  return `${STAGE_TEXT[stage]} failed: ${error.name}: ${error.message}`;
}
