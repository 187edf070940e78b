import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessCli } from '../../../test/support/in-process-cli.ts';
import { around, metric, syntheticReport } from '../../../test/support/synthetic-report.ts';
import type { Report } from '../../report/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'picogc-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = new InProcessCli();

function save(name: string, report: unknown): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'report.json'), JSON.stringify(report));
  return d;
}

const pauses = (runId: string, slow: number): Report =>
  syntheticReport(
    [
      {
        id: 'pause-vs-live',
        metrics: [metric('pause-vs-live/n=0', around(300)), metric('pause-vs-live/n=2000', around(slow))],
      },
    ],
    { runId },
  );

describe('picogc compare', () => {
  const base = save('base', pauses('base', 2000));
  const same = save('same', pauses('same', 2000));
  const slow = save('slow', pauses('slow', 2600));

  it('exit 0 when nothing regressed', async () => {
    expect(await cli.run('compare', base, same)).toBe(0);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('verdict: no regression in 2 shared metrics');
  });

  it('exit 1 on a regression, naming each regressed metric on cli.stderr', async () => {
    expect(await cli.run('compare', base, slow)).toBe(1);
    expect(cli.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /^picogc: regression: pause-vs-live\/n=2000 \(title of pause-vs-live\/n=2000\): median \+30\.0% /,
      ),
    ]);
    expect(cli.stdout).toContain('verdict: REGRESSION — 1 metric regressed: pause-vs-live/n=2000');
  });

  it('--threshold moves the bar; --json prints the comparison as data', async () => {
    expect(await cli.run('compare', base, slow, '--threshold', '40')).toBe(0);
    expect(await cli.run('compare', base, slow, '--json')).toBe(1);
    const json = JSON.parse(cli.stdout) as {
      regressions: { id: string }[];
      rule: { thresholdPercent: number };
    };
    expect(json.regressions.map((m) => m.id)).toEqual(['pause-vs-live/n=2000']);
    expect(json.rule.thresholdPercent).toBe(5);
  });

  it('pools comma-separated runs of one configuration on either side', async () => {
    expect(await cli.run('compare', `${base},${same}`, slow)).toBe(1);
    expect(cli.stdout).toMatch(/^baseline base \(\+1 pooled\): /m);
  });

  it('exit 2 with one named line for a missing file, bad JSON, an unknown schema, a bad option', async () => {
    expect(await cli.run('compare', join(dir, 'nope'), base)).toBe(2);
    expect(cli.stderr).toBe(`picogc: InputError: no such file or directory: ${join(dir, 'nope')}\n`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    expect(await cli.run('compare', base, bad)).toBe(2);
    expect(cli.stderr).toMatch(/^picogc: InputError: .*bad\.json is not JSON: .*\n$/);
    const future = save('future', { ...pauses('future', 2000), schema: 'picogc.report/2' });
    expect(await cli.run('compare', base, future)).toBe(2);
    expect(cli.stderr).toMatch(
      /^picogc: UnknownSchemaError: .*report\.json has report schema picogc\.report\/2; .*\n$/,
    );
    expect(await cli.run('compare', base, same, '--threshold', 'five')).toBe(2);
    expect(cli.stderr).toBe(
      "picogc: UsageError: option '--threshold <percent>' argument 'five' is invalid. expected a percentage ≥ 0\n",
    );
    expect(cli.stdout).toBe('');
  });
});
