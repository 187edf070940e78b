import { z } from 'zod';
import { beginSchema, endSchema } from './probe-lines.ts';

/**
 * One line of a profile's results.jsonl: what arrived from the device (decoded, checked), what the
 * host did about it, in arrival order. The report is computed from these records alone, so a run cut
 * short (Ctrl-C, a program that raised, a link that died) is reported from what reached the disk.
 */

export const RESULTS_FORMAT = 'picogc.profile-results/1';

const header = z.object({
  type: z.literal('header'),
  format: z.literal(RESULTS_FORMAT),
  program: z.string(),
  seconds: z.number().positive(),
  device: z.string(),
  /** 'board' or the kind of stand-in (the virtual Pico, the emulated RP2040). */
  deviceKind: z.string(),
  /** mem_info()'s `GC: total:` at connection: the heap the program has (the virtual Pico's first area). */
  heapTotal: z.number().int().positive(),
  startedAt: z.string(),
  /** The options the report is computed with (so `picogc report` computes the same from these records). */
  markName: z.string().optional(),
  budgetUs: z.number().positive().optional(),
});

const begin = beginSchema.omit({ k: true }).extend({ type: z.literal('begin') });

/** Entries of the ring from index `n` on, each [code, t µs, v]. */
const samples = z.object({
  type: z.literal('samples'),
  n: z.number().int().min(0),
  entries: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])),
});

const mark = z.object({ type: z.literal('mark'), id: z.number().int().min(0), name: z.string() });

const freeRun = z.object({
  type: z.literal('free-run'),
  t: z.number().int(),
  /** mem_info's max free sz: the longest run of free blocks. */
  maxFreeBlocks: z.number().int().min(0),
  freeBytes: z.number().int().min(0).optional(),
});

const end = endSchema.omit({ k: true }).extend({ type: z.literal('end') });

/** A line that should have been data and was damaged on the way (its samples are missing). */
const damaged = z.object({ type: z.literal('damaged'), why: z.string() });

/** The program's own output (and the firmware's): kept as text, never parsed. */
const log = z.object({ type: z.literal('log'), text: z.string() });

/** The pause measured after the program stopped, its globals still alive: L for the advice. */
const pause = z.object({
  type: z.literal('pause'),
  us: z.number().nonnegative(),
  method: z.string(),
  /** gc.mem_alloc() right after that collection: the live set. */
  liveBytes: z.number().int().min(0),
  /** mem_info()'s `GC: total:` then: above the header's heapTotal where the heap grew (the virtual Pico). */
  heapTotalAfter: z.number().int().positive(),
  /**
   * Lfull: the same collection with `garbageBlocks` one-block floats of fresh garbage filling the
   * free heap but a margin, as the program's own collections find it; (garbageUs − us) / blocks = k.
   */
  garbageUs: z.number().nonnegative(),
  garbageBlocks: z.number().int().positive(),
  /** Free bytes when the fill began (on the virtual Pico: its GC total less the live set). */
  freeBefore: z.number().int().min(0).optional(),
  /** gc.mem_free() after the fill (a board): more than the margin means a collection came during it. */
  freeAfterFill: z.number().int().min(0).optional(),
});

/** How the host ended the profile, and anything that went wrong on its side. */
const stopped = z.object({
  type: z.literal('stopped'),
  reason: z.enum(['time', 'interrupted', 'raised', 'returned', 'failed']),
  detail: z.string().optional(),
});

export const resultRecordSchema = z.discriminatedUnion('type', [
  header,
  begin,
  samples,
  mark,
  freeRun,
  end,
  damaged,
  log,
  pause,
  stopped,
]);
export type ResultRecord = z.infer<typeof resultRecordSchema>;
export type RecordOf<T extends ResultRecord['type']> = Extract<ResultRecord, { type: T }>;
