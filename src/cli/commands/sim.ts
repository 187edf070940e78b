import { Option, type Command } from 'commander';
import type { FaultSpec } from '../../sim/faults.ts';
import { repeatable, wholeNumber } from '../options.ts';
import type { ClockKind } from '../../sim/vm-protocol.ts';
import { VIRTUAL_PICO_HEAPSIZE as PICO_HEAP_BYTES } from '../../model/port-config.ts';
import { parseFaultSpec } from '../../sim/faults.ts';

interface SimOptions {
  pty?: boolean;
  path?: string;
  driveDir?: string;
  heap: number;
  seed: number;
  fault: FaultSpec[];
  clock: ClockKind;
}

const GUIDANCE = `picogc sim serves a virtual Pico: the real MicroPython VM (webassembly, v1.27.0) behind a
server that speaks a Raspberry Pi Pico's USB-serial REPL.

  picogc sim --pty                 print the path of a pseudo-terminal (first line of stdout) and
                                   serve it until SIGINT/SIGTERM; open it with any serial tool
  picogc sim --pty --heap 196608   a different heap area (default ${PICO_HEAP_BYTES} = GC total 245888, a Pico's)
  picogc sim --pty --fault drop:0.01 --fault latency:5 --seed 7
  picogc sim --pty --drive-dir /tmp/RPI-RP2
                                   machine.bootloader() drops the pty and presents a BOOTSEL drive
                                   there (default: RPI-RP2 beside the pty); copy a UF2 onto it
                                   (picogc flash does) and the board comes back on the same path
                                   reporting the image's build; SIGUSR1 presses RESET

Other commands reach the same virtual Pico in-process with --device sim.
`;

/** `picogc sim --pty [--heap BYTES] [--seed N] [--fault SPEC]...`: a virtual Pico on a pseudo-terminal. */
export function register(program: Command): void {
  program
    .command('sim')
    .description('serve a virtual Pico (real MicroPython VM, Pico REPL protocol) on a pseudo-terminal')
    .option('--pty', 'serve on a pseudo-terminal; its path is the first line of stdout')
    .option('--path <path>', 'where to create the pty link (default: a new temporary directory)')
    .option(
      '--drive-dir <dir>',
      'where machine.bootloader() presents the BOOTSEL drive (default: RPI-RP2 beside the pty link)',
    )
    .option(
      '--heap <bytes>',
      `heap area given to the VM (default ${PICO_HEAP_BYTES}: GC total 245888, a Pico's)`,
      wholeNumber(16 * 1024),
      PICO_HEAP_BYTES,
    )
    .option('--seed <n>', 'seed for machine.unique_id() and fault injection', wholeNumber(0), 0)
    .addOption(
      new Option(
        '--clock <clock>',
        'what times it: work (its counted work as Pico time) or host (the host clock)',
      )
        .choices(['work', 'host'])
        .default('work'),
    )
    .option(
      '--fault <spec>',
      'inject a fault, repeatable (drop:RATE, corrupt:RATE, latency:MS, stall:MS@BYTES, disconnect:BYTES, hang[@BYTES], reset-mid-exec[@N], boot-noise[:BYTES])',
      repeatable(parseFaultSpec),
      [],
    )
    .action(async (options: SimOptions) => {
      if (!options.pty) {
        process.stdout.write(GUIDANCE);
        return;
      }
      await servePtyUntilSignal(options);
    });
}

async function servePtyUntilSignal(options: SimOptions): Promise<void> {
  const { servePty } = await import('../../sim/pty.ts');
  const server = await servePty({
    heapBytes: options.heap,
    seed: options.seed,
    faults: options.fault,
    clock: options.clock,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.driveDir === undefined ? {} : { driveDir: options.driveDir }),
    log: (line) => process.stderr.write(`picogc: ${line}\n`),
  });
  process.stdout.write(`${server.path}\n`);
  process.stderr.write(
    `picogc: virtual Pico on ${server.path} (a pty from ${server.backend}); its BOOTSEL drive appears at ${server.driveDir} after ` +
      'machine.bootloader(); Ctrl-C or SIGTERM to stop\n',
  );
  // SIGUSR1 is the board's RESET button (e.g. to leave BOOTSEL without copying an image).
  const pressReset = () => void server.reset();
  process.on('SIGUSR1', pressReset);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.off('SIGUSR1', pressReset);
  await server.close();
  process.stderr.write(`picogc: ${signal}: virtual Pico stopped (${server.resets} VM resets)\n`);
}
