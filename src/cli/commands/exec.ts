import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DeviceException, InputError, UsageError } from '../../errors.ts';
import { addDeviceOptions, deviceSpec, integer, type DeviceOptionValues } from '../device-options.ts';

interface ExecOptions extends DeviceOptionValues {
  file?: string;
  timeout: number;
}

/** `picogc exec`: run code on the device; its stdout to stdout, its traceback to stderr, exit 1 on an exception. */
export function register(program: Command): void {
  addDeviceOptions(
    program
      .command('exec')
      .description('run MicroPython code on the device and print its output')
      .argument('[code]', 'code to run')
      .option('-f, --file <file>', 'run the code in this file')
      .option('--timeout <ms>', 'deadline for the execution', integer, 10_000),
  ).action(async (code: string | undefined, options: ExecOptions) => {
    if ((code === undefined) === (options.file === undefined)) {
      throw new UsageError('give the code to run, or -f FILE, but not both');
    }
    const source = options.file ? await readSource(options.file) : code!;
    const { openDevice } = await import('../../device/open.ts');
    const device = await openDevice(deviceSpec(options));
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
