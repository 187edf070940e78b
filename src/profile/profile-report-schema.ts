import { z } from 'zod';

/**
 * report.json of a profile (`picogc.profile/1`): the source of truth its views (index.html,
 * summary.md, the terminal) are drawn from, computed from results.jsonl alone.
 */

export const PROFILE_FORMAT = 'picogc.profile/1';

const distribution = z.object({
  count: z.number().int(),
  p50: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
});

/** A part of the picture the device could not give, and why (never a made-up figure instead). */
const notShown = z.object({ what: z.string(), why: z.string() });

export const profileReportSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  picogcVersion: z.string(),
  runId: z.string(),
  program: z.string(),
  device: z.string(),
  deviceKind: z.string(),
  startedAt: z.string(),
  seconds: z.number(),
  /** How the program ended. */
  stopped: z.object({ reason: z.string(), detail: z.string().optional() }),
  sampler: z.object({
    timer: z.boolean(),
    /** Ticks a second as run: 1e6 / periodUs (near the --hz asked; see profile_probe.py). */
    hz: z.number(),
    flushHz: z.number(),
    every: z.number(),
    /** The timer's period, µs: a stall is known to within half of it. */
    periodUs: z.number(),
    entries: z.number().int(),
    /** Entries overwritten on the device before a flush reached them. */
    lostOnDevice: z.number().int(),
    /** Entries that did not arrive (lines damaged on the way or cut off). */
    missing: z.number().int(),
    damagedLines: z.number().int(),
    durationUs: z.number(),
    /** µs of one gc.mem_alloc() and of one tick, measured by the probe at start. */
    allocUs: z.number().optional(),
    tickUs: z.number().optional(),
    /** How long the probe's flushes held the program (its prints, two heap reads, the free-run probe). */
    flushUs: distribution.optional(),
    /** The share of the CPU the sampler takes: (hz × tick µs + hz / every × read µs) / 1e6. */
    cpuShare: z.number(),
    /** The program without the sampler (its first seconds) against with it: src/profile/sampler-cost.ts. */
    cost: z
      .object({
        bareUs: z.number(),
        mark: z.string().optional(),
        withoutGapP50Us: z.number().optional(),
        withGapP50Us: z.number().optional(),
        withoutRateHz: z.number().optional(),
        withRateHz: z.number().optional(),
        withoutBytesPerSecond: z.number().optional(),
        withBytesPerSecond: z.number().optional(),
        notShown: z.array(z.string()),
      })
      .optional(),
  }),
  allocation: z
    .object({
      bytesPerSecond: z.number(),
      probeBytesPerSecond: z.number(),
      series: z.array(z.object({ tUs: z.number(), bytesPerSecond: z.number() })),
    })
    .optional(),
  collections: z.object({
    count: z.number().int(),
    events: z.array(
      z.object({
        t: z.number(),
        freedBytes: z.number(),
        stallUs: z.number().nullable(),
        inFlush: z.boolean(),
      }),
    ),
    /** Mean seconds between collections, where there were two or more. */
    intervalS: z.number().optional(),
    /** F / (R + probe's R): the interval the heap's free room predicts. */
    predictedIntervalS: z.number().optional(),
    stalls: distribution.optional(),
    /** What the pauses after the program predict for these collections: L + k × freed / 16, p50. */
    predictedStallP50Us: z.number().optional(),
    /**
     * The stalls' median against the same live set's gc.collect() with the heap full of garbage
     * (Lfull, device time), and L (no garbage) beside it: see src/profile/stall-check.ts.
     */
    sameLiveSet: z
      .object({
        stallP50Us: z.number(),
        stalls: z.number().int(),
        sameLiveSetUs: z.number(),
        noGarbageUs: z.number(),
        liveBytes: z.number(),
        ratio: z.number(),
        tolerance: z.number(),
        within: z.boolean(),
        resolutionUs: z.number(),
      })
      .optional(),
    histogram: z.array(z.object({ fromUs: z.number(), toUs: z.number(), count: z.number().int() })),
    /** Tick lateness away from collections and flushes: the program's own stretches. */
    otherLateness: distribution.optional(),
  }),
  marks: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      calls: z.number(),
      rateHz: z.number(),
      gapUs: distribution.optional(),
      allocPerIteration: z.number().optional(),
    }),
  ),
  /** gc.mem_alloc() over time (every reading, or evenly thinned to at most HEAP_POINTS). */
  heap: z.array(z.object({ tUs: z.number(), alloc: z.number() })),
  freeRuns: z.array(
    z.object({ tUs: z.number(), maxFreeBytes: z.number(), freeBytes: z.number().optional() }),
  ),
  pause: z
    .object({
      us: z.number(),
      method: z.string(),
      liveBytes: z.number(),
      garbageUs: z.number(),
      garbageBlocks: z.number(),
      /** Free bytes when the garbage fill began. */
      freeBefore: z.number().optional(),
      /** k: (garbageUs − us) / garbageBlocks. */
      sweepUsPerBlock: z.number(),
    })
    .optional(),
  advice: z
    .object({
      mark: z.string(),
      strategy: z.string(),
      title: z.string(),
      threshold: z.number().nullable(),
      because: z.string(),
      code: z.array(z.string()),
      /** Where each input came from. */
      inputs: z.array(z.string()),
      lines: z.array(z.string()),
    })
    .optional(),
  notShown: z.array(notShown),
  /** The program's own output (escaped in every view). */
  log: z.array(z.string()),
});
export type ProfileReport = z.infer<typeof profileReportSchema>;
