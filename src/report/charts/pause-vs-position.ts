import type { TopLevelSpec } from 'vega-lite';
import { chartHeader, finite, requireRows } from './spec.ts';

export interface GroupedBar {
  /** Outer grouping on the x axis, e.g. the live-set size "1000 objects". */
  group: string;
  /** Bars within a group, e.g. "packed low" / "pinned at top". */
  series: string;
  median: number;
  low?: number;
  high?: number;
}

export interface PauseVsPositionInput {
  bars: readonly GroupedBar[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

/** Grouped bars: the same live set's pause, placed differently in the heap. */
export function pauseVsPositionSpec(input: PauseVsPositionInput): TopLevelSpec {
  requireRows(input.bars, 'pause-vs-position bars');
  input.bars.forEach((b, i) => finite(`bars[${i}]`, b.median, b.low, b.high));
  const yTitle = input.yTitle ?? 'pause (µs)';
  const x = { field: 'group', type: 'nominal' as const, title: input.xTitle ?? 'live set', sort: null };
  const xOffset = { field: 'series', type: 'nominal' as const, sort: null };
  return {
    ...chartHeader(input.title ?? 'Pause vs heap position', 'same live set, placed differently in the heap'),
    width: 360, // leaves room for the legend in a 560 px figure
    height: 240,
    data: { values: [...input.bars] },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset,
          y: { field: 'median', type: 'quantitative', title: yTitle },
          color: { field: 'series', type: 'nominal', title: null, sort: null },
        },
      },
      {
        transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
        mark: { type: 'rule', color: '#1f2328' },
        encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
    ],
  } as TopLevelSpec;
}
