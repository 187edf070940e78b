import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileReportSchema } from '../src/profile/profile-report-schema.ts';
import { InProcessCli } from './support/in-process-cli.ts';
import { REPO } from './support/cli.ts';

/**
 * `picogc report DIR` on a profile run (virtual Pico): the views come back byte for byte from
 * report.json, and a run whose report.json was lost is computed again from results.jsonl, with the
 * options it was run with, to the same report.
 */

let dir: string;
let runDir: string;
const views = ['index.html', 'summary.md', 'junit.xml'];
const original = new Map<string, string>();
const cli = new InProcessCli();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-profile-report-'));
  const out = join(dir, 'reports');
  const app = join(REPO, 'examples', 'leaky_sensor.py');
  const code = await cli.run(
    'profile',
    '--device',
    'sim',
    '--seconds',
    '1',
    '--budget-us',
    '900',
    '--out',
    out,
    app,
  );
  expect(code, cli.stderr).toBe(0);
  runDir = join(out, 'latest-profile');
  for (const f of [...views, 'report.json']) original.set(f, await readFile(join(runDir, f), 'utf8'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('picogc report on a profile run', () => {
  it('draws index.html, summary.md and junit.xml again from report.json, byte for byte', async () => {
    for (const f of views) await writeFile(join(runDir, f), 'stale');
    expect(await cli.run('report', runDir), cli.stderr).toBe(0);
    expect(cli.stdout).toContain('report.json (picogc.profile/1');
    for (const f of views) expect(await readFile(join(runDir, f), 'utf8')).toBe(original.get(f));
    expect(original.get('junit.xml')).toContain('<testcase name="the program ran under the sampler"');
    // What the virtual Pico cannot show is a skipped case with its reason, never a pass.
    expect(original.get('junit.xml')).toMatch(
      /cadence F \/ R predicts[^]*?<skipped message="the virtual Pico collects only/,
    );
  });

  it('computes a lost report.json again from results.jsonl, with the budget the run was given', async () => {
    await rm(join(runDir, 'report.json'));
    for (const f of views) await rm(join(runDir, f));
    // The record being written when the process died: a torn last line is left out.
    await appendFile(join(runDir, 'results.jsonl'), '{"type":"samples","n":9');
    expect(await cli.run('report', runDir), cli.stderr).toBe(0);
    expect(cli.stdout).toContain('results.jsonl (picogc.profile/1');
    const rebuilt = profileReportSchema.parse(
      JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')),
    );
    const first = profileReportSchema.parse(JSON.parse(original.get('report.json')!));
    expect(rebuilt).toEqual(first);
    expect(rebuilt.advice!.inputs.join('\n')).toContain('B = 900 µs: given (--budget-us)');
    for (const f of views) expect(await readFile(join(runDir, f), 'utf8')).toBe(original.get(f));
  });

  it('refuses a profile report of another format version (exit 2), drawing nothing', async () => {
    const other = join(dir, 'other');
    const report = JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')) as { format: string };
    report.format = 'picogc.profile/9';
    await mkdir(other);
    await writeFile(join(other, 'report.json'), JSON.stringify(report));
    expect(await cli.run('report', other)).toBe(2);
    expect(cli.stderr).toMatch(/UnknownSchemaError: .*picogc\.profile\/9/);
  });
});
