import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { InProcessCli } from './support/in-process-cli.ts';

/**
 * A reset before the first experiment (reset-mid-exec@3 strikes the upload of the script that asks
 * the device who it is): the run goes on, and its report lists the reset with what it cost, as it
 * lists one in the middle of an experiment.
 */
const dir = mkdtempSync(join(tmpdir(), 'picogc-reset-identify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(
  'a device that rebooted while it was identified is asked again, and the report says so',
  { timeout: 60_000 },
  async () => {
    const out = join(dir, 'out');
    const cli = new InProcessCli();
    const args = ['run', '--device', 'sim', '--seed', '1', '--quick', '-e', 'alloc-sizes', '--no-history'];
    const code = await cli.run(...args, '--fault', 'reset-mid-exec@3', '--out', out);
    expect(code, cli.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as {
      verdict: string;
      recovery?: { experiment: string; rung: string; detail: string; ms: number }[];
    };
    expect(report.verdict).toBe('pass');
    expect(report.recovery).toHaveLength(1);
    expect(report.recovery![0]).toMatchObject({ experiment: 'alloc-sizes', rung: 'reset-detected' });
    expect(report.recovery![0]!.detail).toMatch(
      /^while the device was identified: the device soft-rebooted unasked .*asked who it is again/,
    );
    expect(report.recovery![0]!.ms).toBeGreaterThan(0);
  },
);
