import { formatNumber, formatUs } from '../format.ts';
import type { ProfileReport } from './profile-report-schema.ts';

/**
 * The profile in words, one fact a line: the terminal prints these, summary.md lists them. Device
 * text (mark names, the program's output) is shown as text by each view, never as markup.
 */

export interface TextLine {
  label: string;
  text: string;
}

export function profileLines(report: ProfileReport): TextLine[] {
  const out: TextLine[] = [];
  const add = (label: string, text: string) => out.push({ label, text });
  const s = report.sampler;
  add(
    'profile',
    `${report.program} on ${report.device}, ${formatNumber(report.seconds)} s asked, ${formatNumber(s.durationUs / 1e6)} s sampled (stopped: ${report.stopped.reason}${report.stopped.detail ? `, ${report.stopped.detail}` : ''})`,
  );
  add(
    'sampler',
    (s.timer
      ? `soft timer ${formatNumber(s.hz)} Hz, every ${formatUs(s.periodUs)} (stalls ±${formatUs(s.periodUs / 2)}), gc.mem_alloc() every ${s.every === 1 ? 'tick' : `${s.every} ticks`}, flushed ${s.flushHz}×/s`
      : 'no machine.Timer: sampled at mark() calls only') +
      `; ${s.entries} entries, ${s.lostOnDevice} overwritten on the device, ${s.missing} missing, ${s.damagedLines} damaged lines` +
      (s.allocUs !== undefined
        ? `; one gc.mem_alloc() ${formatUs(s.allocUs)}, one tick ${formatUs(s.tickUs ?? 0)}` +
          (s.timer ? ` (${formatNumber(s.cpuShare * 100)}% of the CPU at this rate)` : '')
        : ''),
  );
  if (s.cost) {
    const c = s.cost;
    const change = (a: number, b: number) =>
      `${b >= a ? '+' : '−'}${formatNumber(Math.abs((b / a - 1) * 100))}%`;
    const parts: string[] = [];
    if (c.withoutGapP50Us !== undefined && c.withGapP50Us !== undefined)
      parts.push(
        `"${c.mark}" loop p50 ${formatUs(c.withoutGapP50Us)} without → ${formatUs(c.withGapP50Us)} with (${change(c.withoutGapP50Us, c.withGapP50Us)})` +
          (c.withoutRateHz && c.withRateHz
            ? `, ${formatNumber(c.withoutRateHz)} → ${formatNumber(c.withRateHz)} iterations/s (${change(c.withoutRateHz, c.withRateHz)})`
            : ''),
      );
    if (c.withoutBytesPerSecond !== undefined && c.withBytesPerSecond !== undefined)
      parts.push(
        `R ${formatNumber(c.withoutBytesPerSecond)} B/s without → ${formatNumber(c.withBytesPerSecond)} B/s with (${change(c.withoutBytesPerSecond, c.withBytesPerSecond)})`,
      );
    add(
      'cost',
      `the program's first ${formatNumber(c.bareUs / 1e6)} s ran without the sampler: ${parts.join('; ') || 'nothing to compare'}` +
        (c.notShown.length > 0 ? ` (not shown: ${c.notShown.join('; ')})` : ''),
    );
  }
  if (s.flushUs)
    add(
      'probe',
      `${s.flushUs.count} flushes held the program p50 ${formatUs(s.flushUs.p50)}, max ${formatUs(s.flushUs.max)} each (taken out of the stalls; inside the gaps between marks)`,
    );
  const a = report.allocation;
  if (a)
    add(
      'alloc',
      `R = ${formatNumber(a.bytesPerSecond)} B/s (the probe's own prints: ${formatNumber(a.probeBytesPerSecond)} B/s, left out)`,
    );
  const c = report.collections;
  if (report.sampler.timer || c.count > 0) {
    const cadence =
      c.intervalS !== undefined
        ? `, every ${formatNumber(c.intervalS)} s` +
          (c.predictedIntervalS !== undefined
            ? ` (F / (R + probe) predicts ${formatNumber(c.predictedIntervalS)} s)`
            : '')
        : '';
    const stalls = c.stalls
      ? `; stall p50 ${formatUs(c.stalls.p50)}, p99 ${formatUs(c.stalls.p99)}, max ${formatUs(c.stalls.max)}` +
        (c.predictedStallP50Us !== undefined
          ? ` (the pauses timed after the program, L + k × freed/16, predict p50 ${formatUs(c.predictedStallP50Us)})`
          : '')
      : '';
    add('collect', `${c.count} collection${c.count === 1 ? '' : 's'}${cadence}${stalls}`);
    const same = c.sameLiveSet;
    if (same)
      add(
        'stall',
        `p50 ${formatUs(same.stallP50Us)} (±${formatUs(same.resolutionUs)} each, ${same.stalls} collections) vs ${formatUs(same.sameLiveSetUs)}, the same live set (${formatNumber(same.liveBytes)} B) collected with the heap full of garbage after the program: ${signedPercent(same.ratio)} (${same.within ? 'within' : 'outside'} ±${formatNumber(same.tolerance * 100)}%); with no garbage it takes ${formatUs(same.noGarbageUs)}, the rest is the sweep of the garbage`,
      );
    if (c.otherLateness)
      add(
        'lateness',
        `${c.otherLateness.count} tick${c.otherLateness.count === 1 ? '' : 's'} held up away from collections and the probe: p50 ${formatUs(c.otherLateness.p50)}, p99 ${formatUs(c.otherLateness.p99)}, max ${formatUs(c.otherLateness.max)}`,
      );
  }
  for (const m of report.marks) {
    const gap = m.gapUs
      ? `, gap p50 ${formatUs(m.gapUs.p50)}, p99 ${formatUs(m.gapUs.p99)}, max ${formatUs(m.gapUs.max)}`
      : '';
    const alloc =
      m.allocPerIteration !== undefined ? `; ${formatNumber(m.allocPerIteration)} B per iteration` : '';
    add('mark', `"${m.name}": ${m.calls} calls, ${formatNumber(m.rateHz)} Hz${gap}${alloc}`);
  }
  if (report.freeRuns.length > 0) {
    const first = report.freeRuns[0]!;
    const last = report.freeRuns.at(-1)!;
    const least = Math.min(...report.freeRuns.map((f) => f.maxFreeBytes));
    add(
      'free run',
      `${report.freeRuns.length} probes: longest free run ${formatNumber(first.maxFreeBytes)} B → ${formatNumber(last.maxFreeBytes)} B (least ${formatNumber(least)} B)`,
    );
  }
  if (report.pause)
    add(
      'pause',
      `L = ${formatUs(report.pause.us)} (${report.pause.method}), one collection right after the program, ${formatNumber(report.pause.liveBytes)} B live; ${formatUs(report.pause.garbageUs)} with the free heap filled by ${report.pause.garbageBlocks} blocks of garbage: k = ${formatNumber(report.pause.sweepUsPerBlock)} µs per block`,
    );
  if (report.advice) {
    const adv = report.advice;
    add(
      'advice',
      `${adv.title} (for mark "${adv.mark}")${adv.threshold !== null ? `: gc.threshold(${adv.threshold})` : ''} — ${adv.because}`,
    );
    for (const line of adv.inputs) add('', line);
    for (const line of adv.lines) add('', line);
  }
  for (const n of report.notShown) add('not shown', `${n.what}: ${n.why}`);
  return out;
}

function signedPercent(ratio: number): string {
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : '−'}${formatNumber(Math.abs(p))}%`;
}

/** The lines as the terminal prints them: a label column, then the text. */
export function profileText(report: ProfileReport): string {
  return profileLines(report)
    .map((l) => `${l.label.padEnd(9)} ${l.text}\n`)
    .join('');
}
