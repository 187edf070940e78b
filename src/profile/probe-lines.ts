import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { DATA_MARK } from '../device/data-lines.ts';

/**
 * The lines the resident sampler prints (device-scripts/profile_probe.py), read as data: the stub's
 * checked line format `@picogc <seq>.0/1 <crc32> <json>` (verified-exec.ts), one part per line,
 * the CRC-32 over the JSON. JSON.parse only builds data and zod admits only the shapes below:
 * nothing the device prints is ever evaluated.
 */

/** One ring entry: what happened (`code`), when (µs since the probe started) and a value. */
export const entrySchema = z.object({
  /** 0 a tick that read the heap, 1 a flush began, 2 a flush ended, 3 a late tick, 16 + id a mark. */
  code: z.number().int().min(0),
  t: z.number().int(),
  /** gc.mem_alloc() in bytes, or -1 where it was not read; for a late tick, µs since the tick before. */
  v: z.number().int().min(-1),
});
export type Entry = z.infer<typeof entrySchema>;

/** The probe started: its rates, the ring, the heap. */
export const beginSchema = z.object({
  k: z.literal('pb'),
  /** Sampler ticks a second; 0 where the device has no machine.Timer (only mark() samples). */
  hz: z.number().int().min(0),
  /**
   * The tick's period, µs: near 1e6 / hz, a whole number of ms plus 0.618 (so that a loop paced in
   * whole ms meets the ticks at every phase); absent from probes before it (then 1e6 / hz).
   */
  period_us: z.number().int().min(0).optional(),
  flush_hz: z.number().int().min(0),
  /** gc.mem_alloc() is read on every `every`-th tick. */
  every: z.number().int().min(1),
  timer: z.boolean(),
  ring: z.number().int().min(1),
  /** gc.mem_alloc() + gc.mem_free() at start (the virtual Pico's includes the room it may grow by). */
  total: z.number().int().min(0),
  alloc: z.number().int().min(0),
  /** µs one gc.mem_alloc() took at start (it walks the whole allocation table). */
  alloc_us: z.number().int().min(0),
  /** µs one sampler tick took at start (one that neither reads the heap nor is late). */
  tick_us: z.number().int().min(0),
  /** A tick this many µs later than its period is recorded (with the µs since the tick before). */
  late_us: z.number().int().min(0),
  /** ms the program ran first without the sampler (0: none; absent from older probes). */
  bare_ms: z.number().int().min(0).optional(),
});

/** Ring entries from index `n` on, as the hex of their int32 triples (little-endian). */
export const samplesSchema = z.object({
  k: z.literal('ps'),
  n: z.number().int().min(0),
  h: z
    .string()
    .regex(/^[0-9a-f]*$/)
    .refine((h) => h.length % 24 === 0, 'whole 12-byte entries'),
});

/** A mark's name, announced at its first use. */
export const markNameSchema = z.object({
  k: z.literal('pm'),
  id: z.number().int().min(0),
  name: z.string().max(200),
});

/** The longest-free-run probe: mem_info()'s text follows this line. */
export const freeProbeSchema = z.object({ k: z.literal('pf'), t: z.number().int() });

/** The program ended: how, and the probe's own counts (to find lines lost on the way). */
export const endSchema = z.object({
  k: z.literal('pe'),
  how: z.enum(['time', 'interrupted', 'raised', 'returned']),
  error: z.string().nullable(),
  t: z.number().int(),
  entries: z.number().int().min(0),
  /** Entries the ring overwrote before a flush reached them. */
  lost: z.number().int().min(0),
  /** Data lines printed, this one included. */
  lines: z.number().int().min(0),
});

export const probeLineSchema = z.discriminatedUnion('k', [
  beginSchema,
  samplesSchema,
  markNameSchema,
  freeProbeSchema,
  endSchema,
]);
export type ProbeLine = z.infer<typeof probeLineSchema>;

/** What one line of the program's output is. */
export type ReadLine =
  | { kind: 'data'; seq: number; body: ProbeLine }
  /** Starts like a data line but its CRC, framing or shape is wrong: lost on the way. */
  | { kind: 'damaged'; why: string }
  | { kind: 'log'; text: string };

const CHECKED = /^(\d+)\.0\/1 ([0-9a-f]{8}) (.*)$/s;

/** One line (without its line break) of the program's output, read. */
export function readProbeLine(line: string): ReadLine {
  const text = line.replace(/\r$/, '');
  if (!text.startsWith(DATA_MARK)) return { kind: 'log', text };
  const m = CHECKED.exec(text.slice(DATA_MARK.length));
  if (!m) return { kind: 'damaged', why: 'not a checked one-part data line' };
  const body = m[3]!;
  if (crc32(Buffer.from(body, 'utf8')) !== parseInt(m[2]!, 16))
    return { kind: 'damaged', why: 'CRC-32 mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'damaged', why: 'not JSON' };
  }
  const parsed = probeLineSchema.safeParse(value);
  if (!parsed.success)
    return { kind: 'damaged', why: `unexpected shape: ${parsed.error.issues[0]?.message ?? ''}` };
  return { kind: 'data', seq: Number(m[1]), body: parsed.data };
}

/** The entries a samples line holds. */
export function decodeEntries(hex: string): Entry[] {
  const bytes = Buffer.from(hex, 'hex');
  const out: Entry[] = [];
  for (let at = 0; at + 12 <= bytes.length; at += 12) {
    out.push({ code: bytes.readInt32LE(at), t: bytes.readInt32LE(at + 4), v: bytes.readInt32LE(at + 8) });
  }
  return out;
}

/**
 * mem_info()'s block line (` No. of 1-blocks: …, max free sz: N`, facts §3): the longest free run
 * in blocks; its `GC: total/used/free` line: the free bytes. Anything else is not it.
 */
export function maxFreeBlocks(line: string): number | undefined {
  const m = /^ No\. of 1-blocks: \d+, 2-blocks: \d+, max blk sz: \d+, max free sz: (\d+)\r?$/.exec(line);
  return m ? Number(m[1]) : undefined;
}

export function gcFreeBytes(line: string): number | undefined {
  const m = /^GC: total: \d+, used: \d+, free: (\d+)(?:, max new split: \d+)?\r?$/.exec(line);
  return m ? Number(m[1]) : undefined;
}
