import { join } from 'node:path';
import type { BoardOutcome } from '../boards/board-run.ts';
import { PicogcError } from '../errors.ts';

/**
 * How an error is shown on stderr, wherever a command ends with one: one line naming its class
 * (`picogc: LinkError: …`), the stack only with --verbose, and the design's exit code (3 for what
 * is not a picogc error: an internal error is never mistaken for a pass or a failed check).
 */
export function writeError(error: unknown, verbose: boolean): 1 | 2 | 3 {
  if (error instanceof PicogcError) {
    process.stderr.write(`picogc: ${error.name}: ${error.message}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`picogc: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 3;
}

/**
 * The one board of a command could not be used: it fails the way a single-board command always
 * has, with its error. A board that was locked but never answered has a run directory all the same
 * (its unreached report), said on the next line; the exit code is the outcome's (3, a link or
 * device failure, whatever the error's class). A busy board has none: its error is thrown.
 */
export function failedBoard(outcome: BoardOutcome, verbose: boolean): 0 | 1 | 3 {
  if (!outcome.unreached || !outcome.runDir) throw outcome.cause;
  writeError(outcome.cause, verbose);
  process.stderr.write(
    `picogc: the board was never reached (${outcome.unreached.stage}); its report: ${join(outcome.runDir, 'report.json')}\n`,
  );
  return outcome.exitCode;
}
