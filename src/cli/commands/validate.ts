import type { Command } from 'commander';
import { failedBoard } from '../error-line.ts';
import { addBenchOptions, historyPath, suitePlan, type BenchOptionValues } from '../options.ts';
import { runSuite } from '../run-suite.ts';

/**
 * `picogc validate`: run the suite against every board named (as `picogc run` does: locks,
 * recovery, `--firmware` flashed and confirmed first) and exit 0 only when every applicable check
 * passes on every board. Prints each verdict table, then the verdict. History only with --history.
 */
export function register(program: Command): void {
  addBenchOptions(
    program
      .command('validate')
      .description('run the checks strictly: exit 0 only when every applicable check passes'),
    'none; validate appends only when --history is given',
  ).action(async (options: BenchOptionValues) => {
    const { worstExitCode } = await import('../../boards/bench-run.ts');
    const { printBenchOutcomes } = await import('../../boards/outcome-text.ts');
    const { validationVerdict } = await import('../../report/validation.ts');
    const plan = await suitePlan(options);
    const history = typeof options.history === 'string' ? historyPath(options, '') : undefined;
    const { outcomes } = await runSuite(options, plan, 'validate', history);
    // One board that could not be reached (or runs another build than --firmware) fails as such.
    const only = outcomes.length === 1 ? outcomes[0]! : undefined;
    if (only && !only.report) {
      process.exitCode = failedBoard(only, program.opts<{ verbose?: boolean }>().verbose === true);
      return;
    }
    printBenchOutcomes(outcomes);
    const codes: (0 | 1 | 3)[] = [];
    for (const outcome of outcomes) {
      if (!outcome.report) {
        codes.push(outcome.exitCode);
        continue;
      }
      const verdict = validationVerdict(outcome.report);
      codes.push(verdict.exitCode);
      process.stdout.write(
        `\nvalidate${outcomes.length > 1 ? ` ${outcome.label}` : ''}: ${verdict.exitCode === 0 ? 'PASS' : 'FAIL'} — ` +
          `${verdict.passed} of ${verdict.applicable} applicable checks passed, ` +
          `${verdict.skipped} skipped with a reason (the device cannot show them)\n`,
      );
      for (const p of verdict.problems) process.stderr.write(`picogc: ${p}\n`);
    }
    process.exitCode = worstExitCode(codes);
  });
}
