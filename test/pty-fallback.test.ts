import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLink } from '../src/link/open.ts';
import { RawRepl } from '../src/repl/raw-repl.ts';
import { collect, REPO, runCli, spawnCli } from './support/cli.ts';
import { SOCAT, titled, toolStatus } from './support/system-tools.ts';

/**
 * A machine where npm's node-pty has no binary (another platform, or `npm ci --omit=optional`): a
 * checkout whose node_modules lacks the per-platform package. `picogc sim --pty` says so and serves
 * the pty from socat; without socat it fails with exit 3, naming both.
 */
describe('picogc sim --pty where node-pty has no binary', () => {
  let checkout: string;
  let bin: string;

  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'picogc-no-node-pty-'));
    for (const part of ['bin', 'scripts', 'src', 'device-scripts', 'package.json', 'tsconfig.json']) {
      await cp(join(REPO, part), join(checkout, part), { recursive: true });
    }
    // Every package but @lydell/*, linked; node-pty's JavaScript copied without its binary package
    // (a link would resolve the binary from the real node_modules).
    const modules = join(checkout, 'node_modules');
    await mkdir(join(modules, '@lydell'), { recursive: true });
    for (const name of await readdir(join(REPO, 'node_modules'))) {
      if (name !== '@lydell') await symlink(join(REPO, 'node_modules', name), join(modules, name));
    }
    await cp(join(REPO, 'node_modules/@lydell/node-pty'), join(modules, '@lydell/node-pty'), {
      recursive: true,
    });
    bin = join(checkout, 'bin', 'picogc.js');
  });
  afterAll(async () => {
    if (checkout) await rm(checkout, { recursive: true, force: true });
  });

  const socat = toolStatus(SOCAT);

  it.skipIf(!socat.available)(
    titled('says why and serves the pty from socat', socat),
    async () => {
      const sim = spawnCli(['sim', '--pty', '--seed', '9'], { cwd: checkout, bin });
      const done = collect(sim, 60_000);
      try {
        const path = await new Promise<string>((resolve, reject) => {
          createInterface({ input: sim.stdout! }).once('line', resolve);
          sim.once('exit', () => reject(new Error('picogc sim exited before printing its path')));
        });
        const link = await openLink(path);
        const repl = new RawRepl(link.stream);
        try {
          await repl.enter();
          expect((await repl.exec('print(6*7)')).stdout).toBe('42\r\n');
        } finally {
          repl.close();
          await link.close();
        }
      } finally {
        sim.kill('SIGTERM');
      }
      const exit = await done;
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).toMatch(/node-pty cannot open a pty here \(@lydell\/node-pty: .*\); using socat/);
      expect(exit.stderr).toContain('(a pty from socat)');
    },
    60_000,
  );

  it('without socat either, exits 3 naming both', async () => {
    const result = await runCli(['sim', '--pty'], {
      cwd: checkout,
      bin,
      env: { PATH: join(checkout, 'no-such-dir') }, // no socat (nor anything else) on PATH
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^picogc: LinkError: socat is not installed \(apt-get install socat\), and node-pty cannot open a pty here/m,
    );
  }, 60_000);
});
