import { InputError } from '../errors.ts';
import { escapeHtml, trustedSvg, type TrustedHtml } from './html.ts';

/**
 * The heap map of `micropython.mem_info(1)` as a picture: one cell per 16-byte block, coloured by
 * what the allocation table says about it, the longest free run outlined. Runs of equal colour
 * within a row become one <rect>, so a whole 15,368-block Pico heap stays a few thousand elements.
 */

export interface HeapMapInput {
  /** One character per block: '.' free, '=' tail, 'm' mark, anything else a head's type letter. */
  cells: string;
  /** Blocks per drawn row (default 128; the device prints 64 a line). */
  blocksPerRow?: number;
  /** Outlined when given; `longestFreeRun(cells)` computes it. */
  longestFreeRun?: { start: number; length: number };
  title?: string;
  /** Side of one block in pixels (default 5). */
  cellSize?: number;
  /** Bytes per block for the offset labels (default 16, as on 32-bit ports). */
  bytesPerBlock?: number;
}

interface CellClass {
  key: string;
  label: string;
  color: string;
}

/** Head letters as `gc_dump_alloc_table` prints them (py/gc.c), plus the non-head states. */
const CLASSES = new Map<string, CellClass>(
  Object.entries({
    '.': { key: 'free', label: 'free', color: '#eef1f4' },
    '=': { key: 'tail', label: 'tail', color: '#9aa7b5' },
    m: { key: 'mark', label: 'marked (mid-collection)', color: '#6e40c9' },
    T: { key: 'T', label: 'T tuple', color: '#bf8700' },
    L: { key: 'L', label: 'L list', color: '#1a7f37' },
    D: { key: 'D', label: 'D dict', color: '#0969da' },
    S: { key: 'S', label: 'S str / bytes', color: '#8250df' },
    A: { key: 'A', label: 'A bytearray / array', color: '#cf222e' },
    F: { key: 'F', label: 'F float', color: '#e16f24' },
    B: { key: 'B', label: 'B bytecode function', color: '#1b7c83' },
    M: { key: 'M', label: 'M module', color: '#953800' },
    h: { key: 'h', label: 'h other (instance, buffer)', color: '#24292f' },
  }),
);
const OTHER: CellClass = { key: 'other', label: 'other head', color: '#fd8c73' };
const RUN_OUTLINE = '#e8178a';
const RUN_FILL = 'rgba(232, 23, 138, 0.10)';

function classify(ch: string): CellClass {
  return CLASSES.get(ch) ?? OTHER;
}

/** The longest run of free blocks ('.'), first one on a tie; null when nothing is free. */
export function longestFreeRun(cells: string): { start: number; length: number } | null {
  let best: { start: number; length: number } | null = null;
  let start = -1;
  for (let i = 0; i <= cells.length; i++) {
    if (i < cells.length && cells[i] === '.') {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const length = i - start;
      if (best === null || length > best.length) best = { start, length };
      start = -1;
    }
  }
  return best;
}

export function renderHeapMapSvg(input: HeapMapInput): string {
  const { cells } = input;
  const perRow = input.blocksPerRow ?? 128;
  const size = input.cellSize ?? 5;
  const bytesPerBlock = input.bytesPerBlock ?? 16;
  if (cells.length === 0) throw new InputError('heap map has no blocks');
  if (!(Number.isInteger(perRow) && perRow > 0))
    throw new InputError(`blocksPerRow must be a positive integer, got ${perRow}`);
  if (!(size > 0 && Number.isFinite(size))) throw new InputError(`cellSize must be positive, got ${size}`);
  const run = input.longestFreeRun;
  if (
    run &&
    !(
      Number.isInteger(run.start) &&
      Number.isInteger(run.length) &&
      run.start >= 0 &&
      run.length > 0 &&
      run.start + run.length <= cells.length
    )
  ) {
    throw new InputError(
      `longest free run ${run.start}+${run.length} lies outside the ${cells.length}-block map`,
    );
  }

  const rows = Math.ceil(cells.length / perRow);
  const left = 64; // room for offset labels
  const top = input.title ? 28 : 8;
  const gridW = perRow * size;
  const gridH = rows * size;
  const counts = new Map<string, { cls: CellClass; blocks: number }>();
  const rects: string[] = [];
  for (let r = 0; r < rows; r++) {
    const rowStart = r * perRow;
    const rowEnd = Math.min(rowStart + perRow, cells.length);
    let i = rowStart;
    while (i < rowEnd) {
      const cls = classify(cells[i] as string);
      let j = i + 1;
      while (j < rowEnd && classify(cells[j] as string) === cls) j++;
      const entry = counts.get(cls.key) ?? { cls, blocks: 0 };
      entry.blocks += j - i;
      counts.set(cls.key, entry);
      rects.push(
        `<rect x="${left + (i - rowStart) * size}" y="${top + r * size}" width="${(j - i) * size}" height="${size}" fill="${cls.color}"/>`,
      );
      i = j;
    }
  }

  const labels: string[] = [];
  const labelEvery = Math.max(1, Math.ceil(48 / size)); // about one label per 48 px
  for (let r = 0; r < rows; r += labelEvery) {
    const offset = (r * perRow * bytesPerBlock).toString(16).padStart(8, '0');
    labels.push(`<text x="${left - 6}" y="${top + r * size + size}" text-anchor="end">${offset}</text>`);
  }

  const outline = run ? runOutline(run, perRow, size, left, top) : '';

  const legendTop = top + gridH + 16;
  const legendItems = [...counts.values()].sort((a, b) => order(a.cls) - order(b.cls));
  if (run)
    legendItems.push({ cls: { key: 'run', label: 'longest free run', color: 'none' }, blocks: run.length });
  const width = left + gridW + 8;
  const columns = Math.max(1, Math.floor((width - 8) / 320));
  const columnWidth = (width - 8) / columns;
  const legend = legendItems.map((item, k) => {
    const x = 8 + (k % columns) * columnWidth;
    const y = legendTop + Math.floor(k / columns) * 18;
    const swatch =
      item.cls.key === 'run'
        ? `<rect x="${x}" y="${y}" width="12" height="12" fill="${RUN_FILL}" stroke="${RUN_OUTLINE}" stroke-width="2"/>`
        : `<rect x="${x}" y="${y}" width="12" height="12" fill="${item.cls.color}" stroke="#8c959f" stroke-width="0.5"/>`;
    const bytes = item.blocks * bytesPerBlock;
    return `${swatch}<text x="${x + 18}" y="${y + 10}">${escapeHtml(item.cls.label)}: ${item.blocks} blocks (${bytes} B)</text>`;
  });
  const height = legendTop + Math.ceil(legendItems.length / columns) * 18 + 4;
  const title = input.title ?? 'Heap map';
  const summary = run
    ? `${title}: ${cells.length} blocks, longest free run ${run.length} blocks at block ${run.start}`
    : `${title}: ${cells.length} blocks`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(summary)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${escapeHtml(summary)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    input.title
      ? `<text x="8" y="18" font-size="14" font-weight="600" fill="#1f2328">${escapeHtml(input.title)}</text>`
      : '',
    `<g shape-rendering="crispEdges">${rects.join('')}</g>`,
    `<g fill="#59636e" font-family="ui-monospace, monospace" font-size="9">${labels.join('')}</g>`,
    outline,
    `<g fill="#1f2328">${legend.join('')}</g>`,
    '</svg>',
  ].join('');
}

/**
 * One closed outline around a run of blocks that may wrap over several rows: a rectangle, two
 * rectangles (a run across one row boundary that does not overlap itself), or an 8-corner polygon.
 */
function runOutline(
  run: { start: number; length: number },
  perRow: number,
  size: number,
  left: number,
  top: number,
): string {
  const end = run.start + run.length; // exclusive
  const r0 = Math.floor(run.start / perRow);
  const c0 = run.start % perRow;
  const r1 = Math.floor((end - 1) / perRow);
  const c1 = ((end - 1) % perRow) + 1;
  const px = (col: number, row: number): string => `${left + col * size},${top + row * size}`;
  const rect = (ca: number, cb: number, row: number): string =>
    `<rect x="${left + ca * size}" y="${top + row * size}" width="${(cb - ca) * size}" height="${size}"/>`;
  let shape: string;
  if (r0 === r1) shape = rect(c0, c1, r0);
  else if (r1 === r0 + 1 && c1 <= c0) shape = rect(c0, perRow, r0) + rect(0, c1, r1);
  else {
    const corners = [
      px(c0, r0),
      px(perRow, r0),
      px(perRow, r1),
      px(c1, r1),
      px(c1, r1 + 1),
      px(0, r1 + 1),
      px(0, r0 + 1),
      px(c0, r0 + 1),
    ];
    shape = `<polygon points="${corners.join(' ')}"/>`;
  }
  return `<g fill="${RUN_FILL}" stroke="${RUN_OUTLINE}" stroke-width="2"><title>longest free run: ${run.length} blocks from block ${run.start}</title>${shape}</g>`;
}

/** The heap map as trusted markup for an HTML report. */
export function renderHeapMap(input: HeapMapInput): TrustedHtml {
  return trustedSvg(renderHeapMapSvg(input));
}

function order(cls: CellClass): number {
  const k = [...CLASSES.values()].indexOf(cls);
  return k < 0 ? CLASSES.size : k;
}
