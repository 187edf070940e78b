import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import { writeError } from './error-line.ts';

/**
 * The picogc command line. Each sub-command lives in `commands/<name>.ts` and is listed in
 * `commands/index.ts`, a table like mpremote's. Errors become one line on stderr and the design's
 * exit code; a stack trace only with --verbose.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('picogc')
    .description("Measure, model and simulate MicroPython's garbage collector on a Raspberry Pi Pico")
    .option('--verbose', 'show stack traces and protocol logs')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // A bad option or value reads like every other usage error: one line, named, exit 2.
      outputError: (text, write) => write(`picogc: UsageError: ${text.replace(/^error: /, '')}`),
    });
  for (const register of commands) register(program);

  // Commands that finish without an error but with a verdict (a device exception, a failed check)
  // set process.exitCode; it is read and cleared here so main() can run many times in one process.
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, argv.includes('--verbose'));
  } finally {
    process.exitCode = undefined;
  }
}

function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (unknown command, missing argument, --help).
    return error.exitCode === 0 ? 0 : 2;
  }
  return writeError(error, verbose);
}
