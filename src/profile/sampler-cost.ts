import { allocRate } from './alloc-rate.ts';
import { markGaps, type MarkGaps } from './mark-gaps.ts';
import { between, CODE_FLUSH_END, type Timeline } from './timeline.ts';

/**
 * What the sampler costs the program, measured: its loop period and allocation rate in its first
 * seconds without the sampler (no ticks, no flushes; mark() stores its time only) against the same
 * after the sampler started.
 *
 * R without the sampler needs two heap readings and no collection between them: the first is taken
 * where the first mark() announced its name (after the program was compiled: compiling is no part
 * of its rate), the second where the sampler starts. The bare phase begins right after a collection,
 * so none can come in it unless the program fills the free heap that fast; where the rate sampled
 * after says it could have, R without is not shown.
 */

export interface SamplerCost {
  /** How long the program ran without the sampler, µs. */
  bareUs: number;
  /** The mark whose loop period is compared. */
  mark?: string;
  withoutGapP50Us?: number;
  withGapP50Us?: number;
  /** Iterations a second (the median gap hides the flushes' longer stalls; the rate does not). */
  withoutRateHz?: number;
  withRateHz?: number;
  withoutBytesPerSecond?: number;
  withBytesPerSecond?: number;
  /** What could not be compared, and why. */
  notShown: string[];
}

export function samplerCost(
  timeline: Timeline,
  sampledMarks: readonly MarkGaps[],
  sampledRate: number | undefined,
  heapTotal: number,
  markName: string | undefined,
): SamplerCost | undefined {
  const bare = timeline.bare;
  if (!bare?.end) return undefined;
  const phase = between(timeline, bare.start.t, bare.end.t + 1);
  const notShown: string[] = [];
  const out: SamplerCost = { bareUs: bare.end.t - bare.start.t, notShown };
  const withMark = markName
    ? sampledMarks.find((m) => m.name === markName)
    : [...sampledMarks].sort((a, b) => b.calls - a.calls)[0];
  const withoutMark = withMark ? markGaps(phase).find((m) => m.id === withMark.id) : undefined;
  if (withMark?.gapUs && withoutMark?.gapUs) {
    out.mark = withMark.name;
    out.withoutGapP50Us = withoutMark.gapUs.p50;
    out.withGapP50Us = withMark.gapUs.p50;
    out.withoutRateHz = withoutMark.rateHz;
    out.withRateHz = withMark.rateHz;
  } else notShown.push('the loop period: no mark was called twice both without and with the sampler');
  if (sampledRate !== undefined) out.withBytesPerSecond = sampledRate;
  const first = phase.entries.find((e) => e.code === CODE_FLUSH_END);
  if (!first) {
    notShown.push('R without the sampler: no mark() in the bare phase to read the heap after compiling');
    return out;
  }
  const rate = allocRate(between(timeline, first.t, bare.end.t + 1), Number.MAX_SAFE_INTEGER);
  const bytes = bare.end.v - first.v - (rate?.probeBytes ?? 0);
  const span = bare.end.t - first.t;
  const couldFill =
    sampledRate !== undefined &&
    (sampledRate * (bare.end.t - bare.start.t)) / 1e6 >= 0.9 * (heapTotal - bare.start.v);
  if (span <= 0 || bytes < 0 || couldFill) {
    notShown.push(
      'R without the sampler: a collection may have come in the bare phase (the heap can fill in less time than it lasted)',
    );
    return out;
  }
  out.withoutBytesPerSecond = (bytes * 1e6) / span;
  return out;
}
