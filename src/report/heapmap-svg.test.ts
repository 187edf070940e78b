import { describe, expect, it } from 'vitest';
import { loadMemInfo } from '../../test/support/fixtures.ts';
import { InputError } from '../errors.ts';
import { longestFreeRun, renderHeapMap, renderHeapMapSvg } from './heapmap-svg.ts';

/**
 * Cells of a real `mem_info(1)` dump, expanded just enough for a picture (the real parser lives in
 * src/meminfo): every block starts free, each printed line fills its 64 blocks at its offset.
 */
function cellsOf(dump: string): string {
  const total = Number(/GC: total: (\d+)/.exec(dump)?.[1]) / 16;
  const cells = new Array<string>(total).fill('.');
  for (const m of dump.matchAll(/^([0-9a-f]{8}): (\S+)\r?$/gm)) {
    const at = parseInt(m[1] as string, 16) / 16;
    [...(m[2] as string)].forEach((ch, i) => (cells[at + i] = ch));
  }
  return cells.join('');
}

function rects(svg: string): { x: number; y: number; width: number; fill: string }[] {
  return [
    ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="([^"]+)"\/>/g),
  ].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    fill: m[4] as string,
  }));
}

describe('heap map SVG', () => {
  const fragmented = cellsOf(loadMemInfo('mem_info1-fragmented'));

  it('expands the real fragmented Pico heap to 15,368 blocks', () => {
    expect(fragmented.length).toBe(15368);
  });

  it('finds the longest free run: the free space above the live set', () => {
    const run = longestFreeRun(fragmented);
    expect(run).not.toBeNull();
    expect(run?.start).toBeGreaterThan(5000);
    expect((run?.start ?? 0) + (run?.length ?? 0)).toBe(15368);
    expect(longestFreeRun('hh==')).toBeNull();
    expect(longestFreeRun('..h...h..')).toEqual({ start: 3, length: 3 });
  });

  it('merges horizontal runs of one colour: few rects for a whole heap', () => {
    const svg = renderHeapMapSvg({
      cells: fragmented,
      longestFreeRun: longestFreeRun(fragmented) ?? undefined,
    });
    const grid = rects(svg).filter((r) => r.width !== 12); // legend swatches are 12 wide
    // Every block is covered exactly once: widths add up to blocks × cell size.
    expect(grid.reduce((a, r) => a + r.width, 0)).toBe(15368 * 5);
    expect(grid.length).toBeLessThan(3000);
    // No two neighbours in a row share a colour (otherwise they should have been merged).
    for (let i = 1; i < grid.length; i++) {
      const a = grid[i - 1];
      const b = grid[i];
      if (a && b && a.y === b.y && a.x + a.width === b.x) expect(b.fill).not.toBe(a.fill);
    }
  });

  it('colours by free / tail / head type, with a legend of what is present', () => {
    const svg = renderHeapMapSvg({ cells: '..==hLDAAF=B', blocksPerRow: 4 });
    const fills = rects(svg).filter((r) => r.width !== 12);
    expect(fills.map((r) => [r.x, r.y, r.width])).toEqual([
      [64, 8, 10],
      [74, 8, 10],
      [64, 13, 5],
      [69, 13, 5],
      [74, 13, 5],
      [79, 13, 5],
      [64, 18, 5],
      [69, 18, 5],
      [74, 18, 5],
      [79, 18, 5],
    ]);
    expect(svg).toContain('free: 2 blocks (32 B)');
    expect(svg).toContain('tail: 3 blocks (48 B)');
    expect(svg).toContain('A bytearray / array: 2 blocks');
    expect(svg).not.toContain('T tuple'); // absent types stay out of the legend
  });

  it('outlines the longest free run as one shape, however it wraps', () => {
    const outline = (cells: string): string => {
      const svg = renderHeapMapSvg({
        cells,
        blocksPerRow: 4,
        longestFreeRun: longestFreeRun(cells) ?? undefined,
      });
      return /<g fill="rgba[^>]*><title>[^<]*<\/title>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    };
    // Within one row: a rectangle around blocks 1-2.
    expect(outline('h..h')).toBe('<rect x="69" y="8" width="10" height="5"/>');
    // Across one row boundary without overlap: blocks 3 and 4, two rectangles.
    expect(outline('hhh..hhh')).toBe(
      '<rect x="79" y="8" width="5" height="5"/><rect x="64" y="13" width="5" height="5"/>',
    );
    // Blocks 2-11 over three rows: one polygon tracing the outer edge.
    expect(outline('hh' + '.'.repeat(10) + 'h')).toBe(
      '<polygon points="74,8 84,8 84,18 84,18 84,23 64,23 64,13 74,13"/>',
    );
    const svg = renderHeapMapSvg({
      cells: 'hh..........h',
      blocksPerRow: 4,
      longestFreeRun: { start: 2, length: 10 },
    });
    expect(svg).toContain('longest free run: 10 blocks (160 B)');
  });

  it('labels rows with byte offsets and escapes the title', () => {
    const svg = renderHeapMapSvg({ cells: '.'.repeat(128 * 20), title: '<script>alert(1)</script> heap' });
    expect(svg).toContain('>00000000<');
    expect(svg).toContain('>00005000<'); // a label every 10 rows of 5 px: 10 × 128 blocks × 16 B
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; heap');
    expect(() => renderHeapMap({ cells: 'h.', title: '<img src=x onerror=alert(1)>' })).not.toThrow();
  });

  it('rejects an empty map and a run outside it', () => {
    expect(() => renderHeapMapSvg({ cells: '' })).toThrow(InputError);
    expect(() => renderHeapMapSvg({ cells: '....', longestFreeRun: { start: 2, length: 3 } })).toThrow(
      InputError,
    );
    expect(() => renderHeapMapSvg({ cells: '....', blocksPerRow: 0 })).toThrow(InputError);
  });
});
