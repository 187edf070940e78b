import { ProtocolError, escapeBytes } from '../errors.ts';
import { memInfoDiscrepancies, parseMemInfo } from '../meminfo/index.ts';

/**
 * What is wrong with a `micropython.mem_info()` text, if anything: the firmware prints it itself,
 * so no CRC covers it, but its own figures do. A text that does not parse, or whose heap map does
 * not add up to its `GC:` line, was damaged on the way.
 */
export function memInfoProblem(text: string): string | undefined {
  try {
    const problems = memInfoDiscrepancies(parseMemInfo(text));
    return problems.length > 0 ? `mem_info does not add up: ${problems[0]}` : undefined;
  } catch (error) {
    return `mem_info does not parse: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The `GC: total: N` figure of `micropython.mem_info()`. */
export function gcTotal(memInfo: string): number {
  const match = /^GC: total: (\d+),/m.exec(memInfo);
  if (!match) throw new ProtocolError('mem_info() printed no "GC: total:" line', escapeBytes(memInfo));
  return Number(match[1]);
}
