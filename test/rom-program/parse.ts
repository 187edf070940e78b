import { z } from 'zod';

/** One line of the ROM test program's UART output (hex words), checked as it is parsed. */
const HEX = z
  .string()
  .regex(/^[0-9a-f]{8}$/)
  .transform((s) => parseInt(s, 16) >>> 0);
const CallLine = z.tuple([
  z.enum(['SF', 'SD', 'B', 'M']),
  HEX,
  HEX,
  HEX,
  HEX,
  HEX,
  z.literal('='),
  HEX,
  HEX,
  HEX,
]);

export interface ProgramCall {
  tag: 'SF' | 'SD' | 'B' | 'M';
  index: number;
  args: number[];
  result: number[];
  cycles: number;
  /** For memory routines: the source words and the buffer after the call. */
  source?: number[];
  buffer?: number[];
}

export function parseProgramOutput(lines: string[]): {
  overhead: number;
  calls: ProgramCall[];
  done: boolean;
} {
  let overhead = NaN;
  const calls: ProgramCall[] = [];
  for (const line of lines) {
    const words = line.split(' ');
    if (words[0] === 'OVERHEAD') overhead = HEX.parse(words[1]);
    else if (words[0] === 'S') calls.at(-1)!.source = words.slice(1).map((w) => HEX.parse(w));
    else if (words[0] === 'D') calls.at(-1)!.buffer = words.slice(1).map((w) => HEX.parse(w));
    else if (['SF', 'SD', 'B', 'M'].includes(words[0]!)) {
      const [tag, index, a0, a1, a2, a3, , r0, r1, cycles] = CallLine.parse(words);
      calls.push({ tag, index, args: [a0, a1, a2, a3], result: [r0, r1], cycles });
    } else if (line !== 'ROMTEST 1' && line !== 'DONE')
      throw new Error(`unexpected line from the program: ${line}`);
  }
  return { overhead, calls, done: lines.at(-1) === 'DONE' };
}
