import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { syntheticReport } from '../../../test/support/synthetic-report.ts';
import type { Check } from '../../experiments/experiment.ts';
import { main } from '../main.ts';
import { validationVerdict } from './validate.ts';

const check = (id: string, status: Check['status'], reason?: string): Check => ({
  id,
  title: `check ${id}`,
  status,
  ...(reason !== undefined ? { reason } : {}),
});

describe('validationVerdict', () => {
  it('passes when every applicable check passes; a skip with a reason is not a failure', () => {
    const v = validationVerdict(
      syntheticReport([
        { id: 'e', checks: [check('a', 'pass'), check('b', 'skipped', 'the heap grows here')] },
      ]),
    );
    expect(v).toEqual({ exitCode: 0, applicable: 1, passed: 1, skipped: 1, problems: [] });
  });

  it('fails (1) on a failed check, a cross-experiment check, or a skip without a reason', () => {
    expect(
      validationVerdict(syntheticReport([{ id: 'e', checks: [check('a', 'pass'), check('b', 'fail')] }])),
    ).toMatchObject({
      exitCode: 1,
      problems: ['check failed: e / check b'],
    });
    expect(
      validationVerdict(
        syntheticReport([{ id: 'e', checks: [check('a', 'pass')] }], { crossChecks: [check('fit', 'fail')] }),
      ),
    ).toMatchObject({ exitCode: 1, problems: ['check failed: across experiments / check fit'] });
    expect(
      validationVerdict(
        syntheticReport([{ id: 'e', checks: [check('a', 'pass'), check('b', 'skipped', ' ')] }]),
      ),
    ).toMatchObject({ exitCode: 1, problems: ['check skipped without a reason: e / check b'] });
  });

  it('fails (1) when no check could run at all: nothing was validated', () => {
    expect(
      validationVerdict(syntheticReport([{ id: 'e', checks: [check('b', 'skipped', 'cannot')] }])),
    ).toMatchObject({
      exitCode: 1,
      applicable: 0,
      problems: ['no check could run on this device: nothing was validated'],
    });
  });

  it('a device failure (3) outranks failed checks', () => {
    const v = validationVerdict(
      syntheticReport([
        { id: 'e', checks: [check('b', 'fail')] },
        { id: 'f', status: 'failed', error: 'LinkError: port closed' },
      ]),
    );
    expect(v.exitCode).toBe(3);
    expect(v.problems).toEqual([
      'experiment f did not complete: LinkError: port closed',
      'check failed: e / check b',
    ]);
  });
});

describe('picogc validate on the virtual Pico', () => {
  const out = mkdtempSync(join(tmpdir(), 'picogc-validate-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('runs the checks, prints the verdict table and PASS, writes the run, exits 0', async () => {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['validate', '--device', 'sim', '--quick', '-e', 'alloc-sizes', '--out', out]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}pass {4}21 of 21 checks pass — float, .* each costs what the model says$/m);
    expect(stdout).toContain('validate: PASS — 21 of 21 applicable checks passed, 0 skipped with a reason');
    const runs = readdirSync(out).filter((name) => name !== 'latest');
    expect(runs).toHaveLength(1);
    expect(readdirSync(join(out, runs[0]!)).sort()).toEqual([
      'index.html',
      'junit.xml',
      'report.json',
      'results.jsonl',
      'summary.md',
    ]);
  });
});
