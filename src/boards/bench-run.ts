import { createProgress } from '../run/progress.ts';
import { runBoard, type BoardOutcome, type BoardRunOptions } from './board-run.ts';
import { targetLabel, type DeviceTarget } from '../device/target.ts';

export interface BenchOptions extends Omit<BoardRunOptions, 'progress' | 'latestName'> {
  /** Called as each board finishes (history, comparison), before the others are awaited. */
  onBoardDone?: (outcome: BoardOutcome) => Promise<void>;
  /** Where progress goes (default stderr). */
  stream?: NodeJS.WriteStream;
}

export interface BenchResult {
  outcomes: BoardOutcome[];
  /** The worst board's: 3 if any board failed, else 1 if any check failed, else 0. */
  exitCode: 0 | 1 | 3;
}

/**
 * Every board at once, one worker each (the boards are independent; the virtual Picos each have
 * their VM in a worker thread, and serial I/O is asynchronous). One board's failure never stops
 * another's run. The outcomes come back in the order the boards were named.
 */
export async function runBench(
  targets: readonly DeviceTarget[],
  options: BenchOptions,
): Promise<BenchResult> {
  const several = targets.length > 1;
  const afterErrors: unknown[] = [];
  const outcomes = await Promise.all(
    targets.map(async (target) => {
      const outcome = await runBoard(target, {
        ...options,
        ...(several
          ? {
              progress: createProgress(options.stream, { prefix: `[${targetLabel(target)}] ` }),
              latestName: (boardId) => `latest-${boardId}`,
            }
          : {}),
      });
      // A failure here (the history cannot be written) must not cut the other boards' runs short.
      await options.onBoardDone?.(outcome).catch((error: unknown) => afterErrors.push(error));
      return outcome;
    }),
  );
  if (afterErrors.length > 0) throw afterErrors[0];
  return { outcomes, exitCode: worstExitCode(outcomes.map((o) => o.exitCode)) };
}

/** The exit code of several boards: a failure (3) outranks a failed check (1), which outranks a pass. */
export function worstExitCode(codes: readonly (0 | 1 | 3)[]): 0 | 1 | 3 {
  if (codes.some((c) => c === 3)) return 3;
  if (codes.some((c) => c === 1)) return 1;
  return 0;
}
