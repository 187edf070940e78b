import { BLOCKS_PER_LINE } from './parse.ts';
import { FREE_CHAR, type HeapMapDump, type MemInfo } from './types.ts';

/**
 * The text `micropython.mem_info()` prints for `info`, byte for byte: the inverse of
 * parseMemInfo. The heap map follows `gc_dump_alloc_table` (py/gc.c), including where it
 * abbreviates free lines, so a model's map and a device's map can be diffed line by line.
 */
export function formatMemInfo(info: MemInfo, bytesPerBlock = 16): string {
  const lines: string[] = [];
  if (info.memStats) {
    const { total, current, peak } = info.memStats;
    lines.push(`mem: total=${total}, current=${current}, peak=${peak}`);
  }
  lines.push(
    info.stack.limit === null
      ? `stack: ${info.stack.used}`
      : `stack: ${info.stack.used} out of ${info.stack.limit}`,
  );
  const split = info.gc.maxNewSplit === null ? '' : `, max new split: ${info.gc.maxNewSplit}`;
  lines.push(`GC: total: ${info.gc.total}, used: ${info.gc.used}, free: ${info.gc.free}${split}`);
  const a = info.allocations;
  lines.push(
    ` No. of 1-blocks: ${a.oneBlock}, 2-blocks: ${a.twoBlock}, max blk sz: ${a.maxBlockSize}, max free sz: ${a.maxFreeSize}`,
  );
  let text = `${lines.join('\n')}\n`;
  if (info.map) text += formatHeapMap(info.map, bytesPerBlock);
  return info.lineEnding === '\n' ? text : text.replaceAll('\n', info.lineEnding);
}

/** `gc_dump_alloc_table` for every area, with `\n` line endings. */
export function formatHeapMap(map: HeapMapDump, bytesPerBlock = 16): string {
  let out = '';
  for (const area of map.areas) {
    const { blocks } = area;
    out += `GC memory layout; from ${area.poolStart.toString(16)}:`;
    let bl = 0;
    while (bl < blocks.length) {
      // At each line start a run of two or more free lines is abbreviated; printing resumes
      // at the line that holds the run's first used block (or stops at the area's end).
      let runEnd = bl;
      while (runEnd < blocks.length && blocks[runEnd] === FREE_CHAR) runEnd++;
      if (runEnd - bl >= 2 * BLOCKS_PER_LINE) {
        out += `\n       (${Math.floor((runEnd - bl) / BLOCKS_PER_LINE)} lines all free)`;
        bl = runEnd - (runEnd % BLOCKS_PER_LINE);
        if (bl >= blocks.length) break;
      }
      out += `\n${(bl * bytesPerBlock).toString(16).padStart(8, '0')}: `;
      out += blocks.slice(bl, bl + BLOCKS_PER_LINE);
      bl += BLOCKS_PER_LINE;
    }
    out += '\n';
  }
  return out;
}
