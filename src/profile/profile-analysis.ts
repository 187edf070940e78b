import { TOOL_VERSION } from '../version.ts';
import { allocRate } from './alloc-rate.ts';
import { distribution, findCollections, histogram, otherLateness } from './collections.ts';
import { markGaps } from './mark-gaps.ts';
import { adviceFromProfile, measuredSweepCost } from './profile-advice.ts';
import { quantile } from '../analysis/stats.ts';
import { PROFILE_FORMAT, type ProfileReport } from './profile-report-schema.ts';
import type { ResultRecord } from './results-records.ts';
import { between, lastOf, since, timelineOf, type Timeline } from './timeline.ts';
import { samplerCost } from './sampler-cost.ts';
import { stallCheck } from './stall-check.ts';

/**
 * results.jsonl → report.json: every figure of a profile, computed from the records that reached
 * the disk. What the device could not show is said in `notShown`, never filled in.
 */

/** The heap chart's points at most: a long run's readings thinned evenly, its drops kept. */
export const HEAP_POINTS = 3000;

export interface AnalysisOptions {
  runId: string;
  /** The mark whose iterations the advice is for (default: the most called). */
  markName?: string;
  budgetUs?: number;
  minDropBytes?: number;
}

export function analyseProfile(records: readonly ResultRecord[], options: AnalysisOptions): ProfileReport {
  const header = lastOf(records, 'header');
  const begin = lastOf(records, 'begin');
  const end = lastOf(records, 'end');
  const stopped = lastOf(records, 'stopped');
  const pause = lastOf(records, 'pause');
  const whole = timelineOf(records);
  // What follows is the sampled run: the program's first seconds without the sampler, if it had
  // them, are read apart (samplerCost) and compared with it.
  const timeline = whole.bare?.end ? since(whole, whole.bare.end.t) : whole;
  // rp2's machine.Timer on the hardware alarm (µs): the period the probe set (period, tick_hz=1e6),
  // or for an older probe delta_us = (uint64_t)(1e6 / freq).
  const timing =
    begin && begin.hz > 0
      ? { periodUs: begin.period_us || Math.floor(1e6 / begin.hz + 1e-9), readUs: begin.alloc_us }
      : undefined;
  const rate = allocRate(untilLastMark(timeline));
  const collections = findCollections(timeline, timing, options.minDropBytes);
  const stalls = collections.filter((c) => c.stallUs !== null && !c.inFlush).map((c) => c.stallUs!);
  const marks = markGaps(timeline);
  const heapTotal = header?.heapTotal ?? 0;
  const cost = samplerCost(whole, marks, rate?.bytesPerSecond, heapTotal, options.markName);
  const notShown: ProfileReport['notShown'] = [];
  const onSim = header?.deviceKind === 'virtual-pico';
  if (begin && !begin.timer) {
    notShown.push({
      what: 'the sampler timer, tick lateness and stalls',
      why: 'the device has no machine.Timer (the virtual Pico): only picogc_probe.mark() calls sample the heap and the clock',
    });
  }
  if (onSim) {
    notShown.push({
      what: 'collections inside the program, their cadence and stalls',
      why: 'the virtual Pico collects only when an execution returns, never inside a script (its heap grows instead): R, the gaps and the pause after the program are measured; cadence and stalls cannot be',
    });
    notShown.push({
      what: 'the longest free run over time',
      why: 'nothing is freed inside a script on the virtual Pico and its heap grows by new areas, so its free runs say nothing about a Pico’s',
    });
  }
  const intervals = collections.slice(1).map((c, i) => (c.t - collections[i]!.t) / 1e6);
  const free = pause ? heapTotal - pause.liveBytes : undefined;
  const allR = rate ? rate.bytesPerSecond + rate.probeBytesPerSecond : 0;
  const adviceOrWhy = adviceFromProfile(
    { marks, rate, collections, pause, heapTotal },
    {
      ...(options.markName ? { markName: options.markName } : {}),
      ...(options.budgetUs !== undefined ? { budgetUs: options.budgetUs } : {}),
    },
  );
  const grewTo = pause && pause.heapTotalAfter > heapTotal ? pause.heapTotalAfter : undefined;
  if (grewTo !== undefined)
    notShown.push({
      what: 'the advice',
      why: `the heap grew from ${heapTotal} to ${grewTo} B during the program (the virtual Pico never collects inside a script), so the pause after it sweeps a heap a Pico does not have: profile for fewer --seconds`,
    });
  else if ('why' in adviceOrWhy) notShown.push({ what: 'the advice', why: adviceOrWhy.why });
  const lateness = timing ? otherLateness(timeline, timing, collections) : [];
  const stallDistribution = distribution(stalls);
  const flushUs = distribution(timeline.flushes.map((f) => f.end - f.begin));
  const latenessDistribution = distribution(lateness);
  const sameLiveSet = stallCheck(stallDistribution, pause, timing?.periodUs ?? 0);
  const meanInterval =
    intervals.length > 0 ? intervals.reduce((a, b) => a + b, 0) / intervals.length : undefined;
  return {
    format: PROFILE_FORMAT,
    picogcVersion: TOOL_VERSION,
    runId: options.runId,
    program: header?.program ?? '',
    device: header?.device ?? '',
    deviceKind: header?.deviceKind ?? '',
    startedAt: header?.startedAt ?? '',
    seconds: header?.seconds ?? 0,
    stopped: stopped
      ? { reason: stopped.reason, ...(stopped.detail ? { detail: stopped.detail } : {}) }
      : { reason: 'failed', detail: 'the profile ended before the host recorded how' },
    sampler: {
      timer: begin?.timer ?? false,
      hz: timing ? 1e6 / timing.periodUs : 0,
      flushHz: begin?.flush_hz ?? 0,
      every: begin?.every ?? 1,
      periodUs: timing?.periodUs ?? 0,
      ...(flushUs ? { flushUs } : {}),
      entries: whole.entries.length,
      lostOnDevice: end?.lost ?? 0,
      // The last flush's own end entry is written after its print, so it never leaves the device.
      missing: whole.missing + (end ? Math.max(0, end.entries - 2 - (whole.entries.at(-1)?.index ?? -1)) : 0),
      damagedLines: records.filter((r) => r.type === 'damaged').length,
      durationUs: end?.t ?? timeline.entries.at(-1)?.t ?? 0,
      ...(begin ? { allocUs: begin.alloc_us, tickUs: begin.tick_us } : {}),
      cpuShare: begin && begin.timer && timing ? samplerShare(begin, 1e6 / timing.periodUs) : 0,
      ...(cost ? { cost } : {}),
    },
    ...(rate
      ? {
          allocation: {
            bytesPerSecond: rate.bytesPerSecond,
            probeBytesPerSecond: rate.probeBytesPerSecond,
            series: rate.series,
          },
        }
      : {}),
    collections: {
      count: collections.length,
      events: collections,
      ...(meanInterval !== undefined ? { intervalS: meanInterval } : {}),
      ...(free !== undefined && allR > 0 ? { predictedIntervalS: free / allR } : {}),
      ...(stallDistribution ? { stalls: stallDistribution } : {}),
      ...(pause && stallDistribution
        ? {
            predictedStallP50Us: quantile(
              collections
                .filter((c) => c.stallUs !== null && !c.inFlush)
                .map((c) => pause.us + (measuredSweepCost(pause) * c.freedBytes) / 16),
              0.5,
            ),
          }
        : {}),
      ...(sameLiveSet ? { sameLiveSet } : {}),
      histogram: histogram(stalls),
      ...(latenessDistribution ? { otherLateness: latenessDistribution } : {}),
    },
    marks: marks.map((m) => ({
      id: m.id,
      name: m.name,
      calls: m.calls,
      rateHz: m.rateHz,
      ...(m.gapUs ? { gapUs: m.gapUs } : {}),
      ...(m.allocPerIteration !== undefined ? { allocPerIteration: m.allocPerIteration } : {}),
    })),
    heap: thin(timeline.readings, HEAP_POINTS).map((r) => ({ tUs: r.t, alloc: r.v })),
    freeRuns: onSim
      ? []
      : records.flatMap((r) =>
          r.type === 'free-run'
            ? [
                {
                  tUs: r.t,
                  maxFreeBytes: r.maxFreeBlocks * 16,
                  ...(r.freeBytes !== undefined ? { freeBytes: r.freeBytes } : {}),
                },
              ]
            : [],
        ),
    ...(pause
      ? {
          pause: {
            us: pause.us,
            method: pause.method,
            liveBytes: pause.liveBytes,
            garbageUs: pause.garbageUs,
            garbageBlocks: pause.garbageBlocks,
            ...(pause.freeBefore !== undefined ? { freeBefore: pause.freeBefore } : {}),
            sweepUsPerBlock: measuredSweepCost(pause),
          },
        }
      : {}),
    ...('why' in adviceOrWhy || grewTo !== undefined
      ? {}
      : {
          advice: {
            mark: adviceOrWhy.mark,
            strategy: adviceOrWhy.advice.strategy,
            title: adviceOrWhy.advice.title,
            threshold: adviceOrWhy.advice.threshold,
            because: adviceOrWhy.advice.because,
            code: adviceOrWhy.advice.code,
            inputs: adviceOrWhy.inputs,
            lines: adviceOrWhy.advice.lines,
          },
        }),
    notShown,
    log: records.flatMap((r) => (r.type === 'log' ? [r.text] : [])),
  };
}

/** The sampler's CPU share: every tick costs tick_us, and one in `every` also reads the heap. */
function samplerShare(begin: { every: number; tick_us: number; alloc_us: number }, hz: number): number {
  return (hz * begin.tick_us + (hz / begin.every) * begin.alloc_us) / 1e6;
}

/** At most `max` readings: every n-th, plus each one that shows a drop (a collection stays visible). */
function thin<T extends { v: number }>(readings: readonly T[], max: number): T[] {
  if (readings.length <= max) return [...readings];
  const every = Math.ceil(readings.length / max);
  return readings.filter((r, i) => i % every === 0 || (i > 0 && r.v < readings[i - 1]!.v));
}

/**
 * The loop's part of the timeline: up to its last mark() when it has marks. What follows is the
 * probe stopping it (the exception mark() raises, the last flush's frame), not the program's
 * allocation: counted, it gave the pre-allocated loop an R of ~126 B/s over a 3 s run.
 */
function untilLastMark(timeline: Timeline): Timeline {
  let last = -Infinity;
  for (const marks of timeline.marks.values()) last = Math.max(last, marks.at(-1)?.t ?? -Infinity);
  return Number.isFinite(last) ? between(timeline, -Infinity, last + 1) : timeline;
}
