import type { TopLevelSpec } from 'vega-lite';
import { MARK, MEASURED, chartHeader } from '../report/charts/spec.ts';
import type { ProfileReport } from './profile-report-schema.ts';

/**
 * The profile's charts as vega-lite specs (rendered to inline SVG by the report's renderer, no
 * script in the page): the heap over time with each collection marked, and the longest free run
 * over time. Device text never enters a spec except as data.
 */

export function heapSpec(report: ProfileReport): TopLevelSpec | undefined {
  if (report.heap.length < 2) return undefined;
  const layers: unknown[] = [
    {
      data: { values: report.heap.map((h) => ({ s: h.tUs / 1e6, alloc: h.alloc })) },
      mark: { type: 'line', interpolate: 'step-after', color: MEASURED },
      encoding: {
        x: { field: 's', type: 'quantitative', title: 'time (s)' },
        y: { field: 'alloc', type: 'quantitative', title: 'gc.mem_alloc() (bytes)' },
      },
    },
  ];
  if (report.collections.events.length > 0)
    layers.push({
      data: { values: report.collections.events.map((c) => ({ s: c.t / 1e6 })) },
      mark: { type: 'rule', color: MARK, strokeDash: [2, 2], opacity: 0.7 },
      encoding: { x: { field: 's', type: 'quantitative' } },
    });
  return {
    ...chartHeader('The heap while the program ran', 'red dashed: a collection (a drop in gc.mem_alloc())'),
    width: 560,
    height: 220,
    layer: layers,
  } as TopLevelSpec;
}

export function freeRunSpec(report: ProfileReport): TopLevelSpec | undefined {
  if (report.freeRuns.length < 2) return undefined;
  return {
    ...chartHeader('Longest free run over time', 'mem_info()’s max free sz × 16 B'),
    width: 560,
    height: 180,
    data: { values: report.freeRuns.map((f) => ({ s: f.tUs / 1e6, bytes: f.maxFreeBytes })) },
    mark: { type: 'line', point: true, color: MEASURED },
    encoding: {
      x: { field: 's', type: 'quantitative', title: 'time (s)' },
      y: { field: 'bytes', type: 'quantitative', title: 'longest free run (bytes)' },
    },
  } as TopLevelSpec;
}
