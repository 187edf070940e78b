import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DeviceException, InputError, UsageError } from '../../errors.ts';
import {
  addTargetOptions,
  commandLine,
  targetRequest,
  wholeNumber,
  withFirmwareFile,
  type TargetOptionValues,
} from '../options.ts';

interface ExecOptions extends TargetOptionValues {
  file?: string;
  timeout: number;
}

/** `picogc exec`: run code on the device; its stdout to stdout, its traceback to stderr, exit 1 on an exception. */
export function register(program: Command): void {
  addTargetOptions(
    program
      .command('exec')
      .description('run MicroPython code on the device and print its output')
      .argument('[code]', 'code to run')
      .option('-f, --file <file>', 'run the code in this file')
      .option('--timeout <ms>', 'deadline for the execution, in device time', wholeNumber(1), 10_000),
    { many: false },
  ).action(async (code: string | undefined, options: ExecOptions) => {
    const { openTarget } = await import('../../device/open.ts');
    const { resolveTarget } = await import('../../device/target.ts');
    if ((code === undefined) === (options.file === undefined)) {
      throw new UsageError('give the code to run, or -f FILE, but not both');
    }
    const source = options.file ? await readSource(options.file) : code!;
    const { device } = await openTarget(await resolveTarget(targetRequest(await withFirmwareFile(options))), {
      command: commandLine('exec'),
    });
    try {
      await device.exec(source, {
        timeoutMs: options.timeout,
        onStdout: (text) => process.stdout.write(text),
      });
    } catch (error) {
      if (!(error instanceof DeviceException)) throw error;
      process.stderr.write(error.traceback.endsWith('\n') ? error.traceback : `${error.traceback}\n`);
      process.exitCode = 1;
    } finally {
      await device.close();
    }
  });
}

async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
