import { z } from 'zod';
import { InputError } from '../errors.ts';
import { parseMemInfo } from '../meminfo/index.ts';
import type { Report } from '../report/schema.ts';

/**
 * The measured inputs of the threshold rule, read from a run's report: the pause-vs-live median at
 * the live-set size closest to the application's, the free heap the device reported at that size,
 * and the sweep cost per block from the pause-cost fit. Each value says where it came from.
 */

export interface ReportInputs {
  pauseUs: number;
  /** The measured live-set size the pause belongs to. */
  nLive: number;
  /** Free heap with that live set in place (mem_info's GC free), when the report holds it. */
  freeBytes?: number;
  /** c_sweep of the pause-cost fit, when the fit determined it and it is positive. */
  sweepUsPerBlock?: number;
  /** Where each value came from, and what to keep in mind about it. */
  notes: string[];
}

const pointsSchema = z.object({
  points: z.array(z.object({ nLive: z.number(), median: z.number() })).min(1),
});
const pauseCostSchema = z.object({
  pauseCost: z.object({
    coefficients: z.object({ c_sweep: z.number() }),
    estimated: z.object({ c_sweep: z.boolean() }).optional(),
  }),
});

export function inputsFromReport(report: Report, live: number): ReportInputs {
  const experiment = report.experiments.find((e) => e.id === 'pause-vs-live');
  if (!experiment)
    throw new InputError('the report has no pause-vs-live experiment: run it, or give --pause-us');
  if (experiment.status !== 'completed') {
    throw new InputError(
      `pause-vs-live failed in that run (${experiment.error ?? 'unknown error'}): give --pause-us`,
    );
  }
  const parsed = pointsSchema.safeParse(experiment.summary);
  if (!parsed.success) throw new InputError('the report’s pause-vs-live summary has no pause medians');
  // Closest live-set size; on a tie the larger one, whose pause is the safer guess.
  const point = [...parsed.data.points].sort(
    (a, b) => Math.abs(a.nLive - live) - Math.abs(b.nLive - live) || b.nLive - a.nLive,
  )[0]!;
  const notes = [
    `L = ${round(point.median)} µs: the median pause-vs-live pause at n_live = ${point.nLive}` +
      (point.nLive === live ? '' : ` (the measured size closest to ${live})`) +
      `, report ${report.runId}`,
  ];
  if (report.device.capabilities.kind !== 'board') {
    notes.push(
      'these pauses come from the virtual Pico (timed on the host), not a Pico: use a board’s report for real advice',
    );
  }

  const out: ReportInputs = { pauseUs: point.median, nLive: point.nLive, notes };
  const heap = experiment.samples.find((s) => s.type === 'heap' && s.nLive === point.nLive);
  if (heap && typeof heap.memInfo === 'string') {
    try {
      out.freeBytes = parseMemInfo(heap.memInfo).gc.free;
      notes.push(`F = ${out.freeBytes} B: mem_info's GC free with that live set in place`);
    } catch {
      notes.push('the heap map of that live set could not be read; F falls back to the default');
    }
  }
  const fit = pauseCostSchema.safeParse(report.model);
  if (fit.success) {
    const { coefficients, estimated } = fit.data.pauseCost;
    if (estimated?.c_sweep !== false && coefficients.c_sweep > 0) {
      out.sweepUsPerBlock = coefficients.c_sweep;
      notes.push(`k = ${round(coefficients.c_sweep, 5)} µs per block: c_sweep of the run's pause-cost fit`);
    } else {
      notes.push(
        `the run's pause-cost fit did not determine a positive c_sweep (${round(coefficients.c_sweep, 5)})`,
      );
    }
  }
  return out;
}

function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}
