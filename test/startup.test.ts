import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from './support/cli.ts';

/**
 * picogc starts fast because each command loads what it needs when it runs (start times are
 * measured by `npm run bench`, never asserted here). These tests hold the structure that makes it
 * so: which npm packages a start loads, seen by a module-resolution hook in the real process.
 */
describe('what a picogc start loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-startup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The npm packages and picogc modules the main thread of `picogc ARGS` resolved. */
  const loaded = (name: string, args: string[]) => {
    const trace = join(dir, `${name}.txt`);
    const result = spawnSync(
      process.execPath,
      ['--import', join(REPO, 'test/support/trace-imports.mjs'), BIN, ...args],
      { cwd: REPO, env: { ...process.env, PICOGC_TRACE_IMPORTS: trace, CI: 'true' }, encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    const packages = new Set(
      urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.slice(1) ?? []),
    );
    return { packages, urls };
  };

  /** Packages that cost tens of milliseconds or more to load, and that a start should not pay for. */
  const HEAVY = [
    'zod',
    'serialport',
    '@serialport/bindings-cpp',
    'vega',
    'vega-lite',
    'rp2040js',
    'cli-progress',
    'proper-lockfile',
    'ml-regression-multivariate-linear',
    'tsx',
  ];

  it('--help: the built code, and none of the heavy packages', () => {
    const { packages, urls } = loaded('help', ['--help']);
    expect(urls.some((url) => url.includes('/dist/cli/main.js'))).toBe(true);
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('exec --device sim: what the virtual Pico needs, no serial bindings, emulator, charts or recorder', () => {
    const { packages, urls } = loaded('exec', ['exec', '--device', 'sim', 'print(1)']);
    expect(urls.some((url) => url.endsWith('/dist/sim/virtual-pico.js'))).toBe(true);
    expect(HEAVY.filter((name) => name !== 'zod' && packages.has(name))).toEqual([]);
    expect(urls.filter((url) => /\/dist\/(link\/(open|discovery)|emu\/|device\/recorded)/.test(url))).toEqual(
      [],
    );
  });
});
