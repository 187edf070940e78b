/**
 * The data of `micropython.mem_info()` and, with any argument, its heap map
 * (py/modmicropython.c `mp_micropython_mem_info`, py/gc.c `gc_dump_info` and `gc_dump_alloc_table`).
 */

/**
 * Head letters of the heap map: the type pointer in a head block's first word. `h` is any other
 * type and every raw buffer (list items, str data, bytearray data, dict tables).
 */
export const HEAD_LETTERS = ['T', 'L', 'D', 'S', 'A', 'F', 'B', 'M', 'h'] as const;
export type HeadLetter = (typeof HEAD_LETTERS)[number];

/** `.` free, `=` tail, `m` a marked head (only seen mid-collection), or a head letter. */
export type BlockChar = '.' | '=' | 'm' | HeadLetter;

export const FREE_CHAR = '.';
export const TAIL_CHAR = '=';
export const MARK_CHAR = 'm';

export type LineEnding = '\r\n' | '\n';

export interface MemInfo {
  /** rp2 cooks every `\n` to `\r\n`; the wasm VM's mem_info text is cooked too, a plain print is not. */
  lineEnding: LineEnding;
  /** `mem: total=…, current=…, peak=…`, only with MICROPY_MEM_STATS (off on rp2 and wasm). */
  memStats: { total: number; current: number; peak: number } | null;
  /** `stack: <used> out of <limit>`; the limit is absent without MICROPY_STACK_CHECK. */
  stack: { used: number; limit: number | null };
  /** `GC: total: …, used: …, free: …` in bytes, plus `max new split` with MICROPY_GC_SPLIT_HEAP_AUTO. */
  gc: { total: number; used: number; free: number; maxNewSplit: number | null };
  /** ` No. of 1-blocks: …, 2-blocks: …, max blk sz: …, max free sz: …`; sizes in blocks. */
  allocations: { oneBlock: number; twoBlock: number; maxBlockSize: number; maxFreeSize: number };
  /** The heap map, present when mem_info was called with an argument. */
  map: HeapMapDump | null;
}

export interface HeapMapDump {
  areas: HeapAreaDump[];
}

export interface HeapAreaDump {
  /** The `from %p` address: the area's pool start (its block 0). */
  poolStart: number;
  /** One BlockChar per block of the area, block 0 first. */
  blocks: string;
}
