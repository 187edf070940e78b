import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

/**
 * `picogc ARGS` in the test's own process: `main()` as bin/picogc.js calls it, stdout and stderr
 * captured (test/support/cli.ts runs it as a real process instead). What the last run printed stays
 * in `stdout` and `stderr` until the next one:
 *
 *     const cli = new InProcessCli();
 *     expect(await cli.run('compare', a, b)).toBe(1);
 *     expect(cli.stderr).toContain('regression');
 */
export class InProcessCli {
  stdout = '';
  stderr = '';

  /** Run picogc with these arguments; returns its exit code. */
  async run(...argv: string[]): Promise<number> {
    this.stdout = '';
    this.stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      this.stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      this.stderr += String(chunk);
      return true;
    });
    try {
      return await main(argv);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }
}
