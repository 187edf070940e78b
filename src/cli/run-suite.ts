import type { BenchResult } from '../boards/bench-run.ts';
import {
  boardRunSettings,
  commandLine,
  suitePlan,
  targetRequest,
  withFirmwareFile,
  type BenchOptionValues,
} from './options.ts';

/**
 * The suite on every board the options name, as `run` and `validate` do it: `--firmware v1.28.0`
 * becomes its cached file (after the cheap checks, before any board), the targets are resolved,
 * and each board's outcome is appended to `history` when one is given.
 */
export async function runSuite(
  options: BenchOptionValues,
  plan: Awaited<ReturnType<typeof suitePlan>>,
  command: string,
  history: string | undefined,
): Promise<BenchResult> {
  const { runBench } = await import('../boards/bench-run.ts');
  const { appendBoardRecord } = await import('../boards/board-history.ts');
  const { resolveTargets } = await import('../device/target.ts');
  const bench = await withFirmwareFile(options);
  const targets = await resolveTargets(targetRequest(bench));
  return runBench(targets, {
    ...plan,
    ...boardRunSettings(bench, commandLine(command)),
    ...(history ? { onBoardDone: (outcome) => appendBoardRecord(history, outcome) } : {}),
  });
}
