import type { Command } from 'commander';
import { DeviceException, UsageError } from '../../errors.ts';
import {
  addTargetOptions,
  commandLine,
  decimal,
  targetRequest,
  wholeNumber,
  type TargetOptionValues,
} from '../options.ts';

interface ProfileOptions extends TargetOptionValues {
  seconds: number;
  hz: number;
  flushHz: number;
  every: number;
  freeRunMs: number;
  bareSeconds: number;
  mark?: string;
  budgetUs?: number;
  out: string;
  json?: boolean;
}

/** The exit code of a run the user stopped with Ctrl-C (128 + SIGINT), as shells expect. */
const INTERRUPTED = 130;

/**
 * `picogc profile APP.py`: run the user's program unchanged on the device under a resident sampler,
 * then report its allocation rate, collections and their stalls, the gaps between its marks, the
 * longest free run over time and the gc.threshold advice. Exit 0 when the program ran its time (or
 * returned), 1 when it raised, 130 on Ctrl-C, 3 when the device or its link failed; the report is
 * written in every case from the samples that arrived.
 */
export function register(program: Command): void {
  addTargetOptions(
    program
      .command('profile')
      .description("profile your own program's allocation and collections on the device")
      .argument('<app>', 'the MicroPython program to run (e.g. main.py), unchanged')
      .option('--seconds <n>', 'how long to let it run, in device seconds', decimal({ above: 0 }), 10)
      .option(
        '--hz <n>',
        'sampler ticks a second (a soft machine.Timer): a stall is measured to within half a period',
        wholeNumber(1),
        500,
      )
      .option('--flush-hz <n>', 'how often a second the sampler prints what it holds', wholeNumber(1), 1)
      .option(
        '--every <n>',
        'read gc.mem_alloc() on every n-th tick (it walks the whole heap table: ~9 ms on a Pico); 0: as often as 5% of the CPU allows',
        wholeNumber(0),
        0,
      )
      .option(
        '--free-run-ms <ms>',
        'longest-free-run probe at most this often (0: never)',
        wholeNumber(0),
        2000,
      )
      .option(
        '--bare-seconds <n>',
        'run the program this long first without the sampler, to show what the sampler costs it (at most a quarter of --seconds; 0: no)',
        decimal({ atLeast: 0 }),
        2,
      )
      .option('--mark <name>', 'the mark whose iterations the advice is for (default: the most called)')
      .option(
        '--budget-us <us>',
        'the longest stall one iteration of that mark can absorb',
        decimal({ above: 0 }),
      )
      .option('--out <dir>', 'where the run directory goes', 'reports')
      .option('--json', 'print report.json instead of the summary'),
    { many: false },
  ).action(async (app: string, options: ProfileOptions) => {
    const { openTarget } = await import('../../device/open.ts');
    const { resolveTarget } = await import('../../device/target.ts');
    const { readProgram, runProfileSession } = await import('../../profile/profile-session.ts');
    const { profileText } = await import('../../profile/profile-text.ts');
    const { programTraceback } = await import('../../profile/profile-run.ts');
    if (options.hz > 1000)
      throw new UsageError('--hz: at most 1000 (each tick costs the program tens of µs)');
    readProgram(app); // a missing program is an input error before any device is touched
    const { device } = await openTarget(await resolveTarget(targetRequest(options)), {
      command: commandLine('profile'),
    });
    // Ctrl-C stops the program on the device (its samples are flushed first). A program that
    // catches KeyboardInterrupt is asked again through the probe 2 s later, or at once on a second
    // Ctrl-C (its next mark() ends it); a third one leaves at once (the samples are on disk;
    // `picogc report DIR` computes the report from them).
    const interrupt = new AbortController();
    const insist = new AbortController();
    const onSigint = () => {
      if (insist.signal.aborted) process.exit(INTERRUPTED);
      if (interrupt.signal.aborted) {
        process.stderr.write(
          'picogc: interrupted again: asking the probe to stop the program at its next mark()\n',
        );
        insist.abort();
        return;
      }
      process.stderr.write('picogc: interrupted: stopping the program, keeping its samples\n');
      interrupt.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const { runDir, report, outcome } = await runProfileSession(device, {
        program: app,
        seconds: options.seconds,
        hz: options.hz,
        flushHz: options.flushHz,
        every: options.every,
        freeRunMs: options.freeRunMs,
        bareMs: Math.min(options.bareSeconds, options.seconds / 4) * 1000,
        outDir: options.out,
        signal: interrupt.signal,
        insist: insist.signal,
        ...(options.mark ? { markName: options.mark } : {}),
        ...(options.budgetUs !== undefined ? { budgetUs: options.budgetUs } : {}),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${profileText(report)}report: ${runDir}\n`);
      if (outcome.reason === 'interrupted') {
        if (outcome.error) process.stderr.write(`picogc: ${outcome.error.message}\n`);
        process.exitCode = INTERRUPTED;
      } else if (outcome.error instanceof DeviceException) {
        process.stderr.write(
          `picogc: the program raised ${outcome.error.type}: ${outcome.error.detail}\n${programTraceback(outcome.error.traceback)}\n`,
        );
        process.exitCode = 1;
      } else if (outcome.error) throw outcome.error;
    } finally {
      process.off('SIGINT', onSigint);
      await device.close();
    }
  });
}
