export { MemInfoParseError } from './errors.ts';
export { formatHeapMap, formatMemInfo } from './format.ts';
export { BLOCKS_PER_LINE, parseMemInfo, type ParseMemInfoOptions, type ParsedMemInfo } from './parse.ts';
export {
  gcInfoOf,
  memInfoDiscrepancies,
  summarizeHeapMap,
  type GcInfo,
  type HeapSummary,
} from './summary.ts';
export * from './types.ts';
