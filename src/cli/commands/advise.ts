import type { Command } from 'commander';
import type { AdviceInput } from '../../advise/rule.ts';
import { UsageError } from '../../errors.ts';
import { decimal, wholeNumber } from '../options.ts';

/** A Pico's GC heap (`GC: total: 245888` on v1.28.0 RPI_PICO): the free heap assumed when none is given. */
const PICO_HEAP_BYTES = 245_888;

interface AdviseOptions {
  pauseUs?: number;
  report?: string;
  live?: number;
  allocBytes: number;
  rateHz: number;
  budgetUs: number;
  freeBytes?: number;
  sweepUsPerBlock?: number;
  seamUs?: number;
  seamHz?: number;
  json?: boolean;
}

/**
 * `picogc advise`: which of five strategies a control loop should use against GC pauses, and the
 * gc.threshold value, with the arithmetic shown. The rule is documented in src/advise/rule.ts.
 */
export function register(program: Command): void {
  program
    .command('advise')
    .description('recommend a GC strategy and gc.threshold value for a loop, showing the arithmetic')
    .option(
      '--pause-us <us>',
      'a measured pause of gc.collect() with your live set, µs',
      decimal({ above: 0 }),
    )
    .option('--report <path>', 'take the pause from a run (report.json or run directory) instead')
    .option('--live <n>', 'with --report: your live-set size, in pause-vs-live objects', wholeNumber(0))
    .requiredOption('--alloc-bytes <n>', 'bytes the loop allocates per iteration', decimal({ atLeast: 0 }))
    .requiredOption('--rate-hz <hz>', 'loop iterations per second', decimal({ above: 0 }))
    .requiredOption(
      '--budget-us <us>',
      'the longest stall one iteration can absorb, µs',
      decimal({ above: 0 }),
    )
    .option(
      '--free-bytes <n>',
      `heap free with your live set in place, gc.mem_free() (default: from --report, else ${PICO_HEAP_BYTES})`,
      decimal({ above: 0 }),
    )
    .option(
      '--sweep-us-per-block <us>',
      'sweep cost of one 16-byte block of garbage, µs (default: from --report, else unknown)',
      decimal({ atLeast: 0 }),
    )
    .option('--seam-us <us>', 'length of an idle stretch the loop has, µs', decimal({ above: 0 }))
    .option('--seam-hz <hz>', 'how often that idle stretch comes, per second', decimal({ above: 0 }))
    .option('--json', 'print the inputs and the advice as JSON')
    .action(async (options: AdviseOptions) => {
      const { formatNumber } = await import('../../format.ts');
      const { advise } = await import('../../advise/rule.ts');
      const { input, notes } = await resolveInputs(options);
      const advice = advise(input);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ input, notes, advice }, null, 2)}\n`);
        return;
      }
      const out = [
        'inputs',
        `  L pause ${formatNumber(input.pauseUs)} µs, A ${formatNumber(input.allocBytes)} B/iteration, f ${formatNumber(input.rateHz)} Hz, B budget ${formatNumber(input.budgetUs)} µs`,
        `  F free heap ${formatNumber(input.freeBytes)} B, k sweep ${formatNumber(input.sweepUsPerBlock)} µs/block` +
          (input.seam ? `, seam ${formatNumber(input.seam.us)} µs at ${formatNumber(input.seam.hz)} Hz` : ''),
        ...notes.map((n) => `  (${n})`),
        '',
        'arithmetic',
        ...advice.lines.map((l) => `  ${l}`),
        '',
        `recommendation: ${advice.title}`,
        `  ${advice.because}`,
        `  gc.threshold: ${advice.threshold === null ? 'leave as it is' : `${advice.threshold} B`}`,
        '',
        'in the program',
        ...advice.code.map((c) => `  ${c}`),
        '',
        'rule (first match): 1 leave defaults if the worst pause fits; 2 tune the threshold if a',
        'collection after a smaller amount of garbage fits; 3 collect at seams if a seam fits one;',
        '4 pre-allocate if the live set fits but the loop’s garbage does not; 5 shrink the heap or',
        'live set if even the live set alone does not fit (src/advise/rule.ts).',
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

async function resolveInputs(options: AdviseOptions): Promise<{ input: AdviceInput; notes: string[] }> {
  if ((options.seamUs === undefined) !== (options.seamHz === undefined)) {
    throw new UsageError('give --seam-us and --seam-hz together');
  }
  if (options.pauseUs !== undefined && options.report !== undefined) {
    throw new UsageError('give either --pause-us or --report, not both');
  }
  const notes: string[] = [];
  let pauseUs = options.pauseUs;
  let freeBytes = options.freeBytes;
  let sweepUsPerBlock = options.sweepUsPerBlock;
  if (options.report !== undefined) {
    if (options.live === undefined) throw new UsageError('--report needs --live N: your live-set size');
    const { inputsFromReport } = await import('../../advise/from-report.ts');
    const { loadReport } = await import('../../report/load.ts');
    const measured = inputsFromReport(loadReport(options.report).report, options.live);
    pauseUs = measured.pauseUs;
    notes.push(...measured.notes);
    if (freeBytes === undefined && measured.freeBytes !== undefined) freeBytes = measured.freeBytes;
    if (sweepUsPerBlock === undefined && measured.sweepUsPerBlock !== undefined) {
      sweepUsPerBlock = measured.sweepUsPerBlock;
    }
  } else if (options.live !== undefined) {
    throw new UsageError('--live goes with --report');
  }
  if (pauseUs === undefined) throw new UsageError('give --pause-us, or --report with --live');
  if (freeBytes === undefined) {
    freeBytes = PICO_HEAP_BYTES;
    notes.push(`F assumed ${PICO_HEAP_BYTES} B, a Pico's whole GC heap; pass --free-bytes (gc.mem_free())`);
  }
  return {
    input: {
      pauseUs,
      allocBytes: options.allocBytes,
      rateHz: options.rateHz,
      budgetUs: options.budgetUs,
      freeBytes,
      sweepUsPerBlock: sweepUsPerBlock ?? 0,
      ...(options.seamUs !== undefined && options.seamHz !== undefined
        ? { seam: { us: options.seamUs, hz: options.seamHz } }
        : {}),
    },
    notes,
  };
}
