import { z } from 'zod';
import { heapGeometry } from '../experiments/heap-geometry.ts';
import { collectionRateSpec } from './charts/collection-rate.ts';
import { pauseVsLiveSpec, type MeasuredPoint } from './charts/pause-vs-live.ts';
import { pauseVsPositionSpec } from './charts/pause-vs-position.ts';
import { renderChart } from './charts/render.ts';
import { sawtoothSpec } from './charts/sawtooth.ts';
import { renderHeapMap } from './heapmap-svg.ts';
import { chartFigure, html, type TrustedHtml } from './html.ts';
import type { ExperimentReport, Report } from './schema.ts';

/**
 * The pictures of a run, each drawn from what report.json holds. An experiment's summary is read
 * through a schema: a report written by another picogc version shows a note, never a wrong chart.
 */

const pauseSummary = z.object({ median: z.number(), q1: z.number(), q3: z.number() });
const fitPoints = z.object({
  pauseCost: z.object({
    r2: z.number().nullable(),
    statistic: z.enum(['median', 'lower quartile']).optional(),
    points: z.array(
      z.object({
        experiment: z.string(),
        nLive: z.number(),
        position: z.string().optional(),
        predicted: z.number(),
      }),
    ),
  }),
});

type Figure = (experiment: ExperimentReport, report: Report) => Promise<TrustedHtml[]>;

const figures: Record<string, Figure> = {
  'pause-vs-live': async (e, report) => {
    const { points } = z
      .object({ points: z.array(pauseSummary.extend({ nLive: z.number() })) })
      .parse(e.summary);
    const fit = fitPoints.safeParse(report.model);
    const predicted = new Map(
      fit.success
        ? fit.data.pauseCost.points.filter((p) => p.experiment === e.id).map((p) => [p.nLive, p.predicted])
        : [],
    );
    const measured: MeasuredPoint[] = points.map((p) => ({
      x: p.nLive,
      median: p.median,
      low: p.q1,
      high: p.q3,
      ...(predicted.has(p.nLive) ? { model: predicted.get(p.nLive)! } : {}),
    }));
    const r2 = fit.success ? fit.data.pauseCost.r2 : null;
    const fittedTo =
      fit.success && fit.data.pauseCost.statistic === 'lower quartile'
        ? ', fitted to each lower quartile (pauses timed on the host)'
        : '';
    return [
      chartFigure(
        'Pause vs live objects',
        await renderChart(pauseVsLiveSpec({ points: measured, xTitle: 'live bytearray(48)' })),
        `Median and quartiles of the timed collections; dashed: the fitted pause-cost model${fittedTo}${r2 === null ? '' : ` (R² ${r2.toFixed(3)})`}.`,
      ),
    ];
  },
  'pause-vs-heap-position': async (e) => {
    const { rows, answer } = z
      .object({
        rows: z.array(z.object({ nLive: z.number(), packed: pauseSummary, pinned: pauseSummary })),
        answer: z.string(),
      })
      .parse(e.summary);
    const bars = rows.flatMap((r) =>
      (['packed', 'pinned'] as const).map((position) => ({
        group: `${r.nLive} live`,
        series: position === 'packed' ? 'packed low' : 'one object pinned at the top',
        median: r[position].median,
        low: r[position].q1,
        high: r[position].q3,
      })),
    );
    return [chartFigure('Pause vs heap position', await renderChart(pauseVsPositionSpec({ bars })), answer)];
  },
  threshold: async (e) => {
    const { rows } = z
      .object({
        rows: z.array(
          z.object({
            requested: z.number(),
            mode: z.string(),
            readings: z.array(z.number()),
            collections: z.array(z.number()),
          }),
        ),
      })
      .parse(e.summary);
    if (rows.length === 0) return [];
    const series = (r: (typeof rows)[number]) => `threshold ${r.requested} B`;
    const unit = rows[0]!.mode === 'per-exec' ? 'execution' : 'allocation step';
    return [
      chartFigure(
        'gc.threshold sawtooth',
        await renderChart(
          sawtoothSpec({
            samples: rows.flatMap((r) =>
              r.readings.map((memAlloc, step) => ({ step, memAlloc, series: series(r) })),
            ),
            collections: rows.flatMap((r) => r.collections.map((step) => ({ step, series: series(r) }))),
            title: `gc.mem_alloc() after each ${unit}`,
          }),
        ),
        'Each drop is a collection.',
      ),
    ];
  },
  'float-churn': async (e, report) => {
    const s = z
      .object({
        bytesPerOp: z.number(),
        collectionsPer1000Ops: z.number(),
        predictedCollections: z.number().nullable(),
        ops: z.number(),
      })
      .parse(e.summary);
    const model = s.predictedCollections === null ? {} : { model: (1000 * s.predictedCollections) / s.ops };
    return [
      chartFigure(
        'Collections per 1000 float operations',
        await renderChart(
          collectionRateSpec({
            bars: [{ label: `${s.ops} float multiplications`, measured: s.collectionsPer1000Ops, ...model }],
          }),
        ),
        `${s.bytesPerOp} bytes of heap per operation.` +
          (s.collectionsPer1000Ops === 0 && report.device.capabilities.deferredCollect
            ? ' No collection ran inside the script: this device collects only when an execution returns, so the bar is empty here.'
            : ''),
      ),
    ];
  },
  'mark-overflow': async (e) => {
    const point = pauseSummary.extend({ size: z.number() });
    const { wide, chain } = z.object({ wide: z.array(point), chain: z.array(point) }).parse(e.summary);
    const toPoints = (list: z.infer<typeof point>[]) =>
      list.map((p) => ({ x: p.size, median: p.median, low: p.q1, high: p.q3 }));
    const out: TrustedHtml[] = [];
    if (wide.length > 0) {
      out.push(
        chartFigure(
          'Mark stack: one list of k children',
          await renderChart(
            pauseVsLiveSpec({
              points: toPoints(wide),
              xTitle: 'children of one list',
              title: 'Pause vs fan-out',
            }),
          ),
          'A step where the 64-entry mark stack overflows and the whole heap is rescanned.',
        ),
      );
    }
    if (chain.length > 0) {
      out.push(
        chartFigure(
          'Mark stack: a chain',
          await renderChart(
            pauseVsLiveSpec({ points: toPoints(chain), xTitle: 'chain length', title: 'Pause vs depth' }),
          ),
        ),
      );
    }
    return out;
  },
  fragmentation: (e) => {
    const heap = e.samples.find((s) => s.type === 'heap');
    if (!heap || typeof heap.memInfo !== 'string') return Promise.resolve([]);
    const geometry = heapGeometry(heap.memInfo);
    return Promise.resolve([
      chartFigure(
        'Heap map after fragmentation',
        renderHeapMap({ cells: geometry.blocks, longestFreeRun: geometry.longestFreeRun, title: 'area 0' }),
        `${geometry.freeBlocks * 16} B free; the longest free run (outlined) is ${geometry.longestFreeRun.length * 16} B.`,
      ),
    ]);
  },
};

/** Every figure of the report; one that cannot be drawn says why instead. */
export async function reportFigures(report: Report): Promise<TrustedHtml[]> {
  const out: TrustedHtml[] = [];
  for (const experiment of report.experiments) {
    const figure = figures[experiment.id];
    if (!figure || experiment.status !== 'completed') continue;
    try {
      out.push(...(await figure(experiment, report)));
    } catch (error) {
      out.push(
        html`<p class="note">
          No chart for ${experiment.id}: ${error instanceof Error ? error.message : String(error)}
        </p>`,
      );
    }
  }
  return out;
}

/** The size table: measured bytes next to the model's, per object. */
export function sizeTable(report: Report): TrustedHtml {
  const experiment = report.experiments.find((e) => e.id === 'alloc-sizes' && e.status === 'completed');
  if (!experiment) return html``;
  const parsed = z
    .object({
      rows: z.array(
        z.object({
          object: z.string(),
          model: z.string(),
          measured: z.array(z.number()),
          modelBytes: z.number().nullable(),
        }),
      ),
    })
    .safeParse(experiment.summary);
  if (!parsed.success) return html`<p class="note">The size table cannot be read from this report.</p>`;
  return html`<section class="card">
    <h2>What each object costs</h2>
    <table class="verdicts">
      <thead>
        <tr>
          <th>Object</th>
          <th>Model spec</th>
          <th>Measured</th>
          <th>Model</th>
          <th>Blocks</th>
        </tr>
      </thead>
      <tbody>
        ${parsed.data.rows.map((r) => {
          const measured = [...new Set(r.measured)];
          const ok = r.modelBytes !== null && measured.length === 1 && measured[0] === r.modelBytes;
          return html`<tr class="${ok ? 'row-pass' : r.modelBytes === null ? 'row-skipped' : 'row-fail'}">
            <td>${r.object}</td>
            <td><code>${r.model}</code></td>
            <td>${measured.join(' / ')} B</td>
            <td>${r.modelBytes === null ? '—' : `${r.modelBytes} B`}</td>
            <td>${measured.map((b) => b / 16).join(' / ')}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}
