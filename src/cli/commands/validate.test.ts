import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

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
