import { execFileSync } from 'node:child_process';
import {
  cp,
  mkdtemp,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, type CliResult } from './support/cli.ts';

/**
 * dist/ and bin/picogc.js on a checkout of their own (a copy of this one): picogc runs the build when
 * it is the build of the current sources, and the sources (through tsx) when it is missing or older
 * than any of them, and the built code finds what it reads beside it (the VM worker, device-scripts/,
 * package.json). The copy's src/cli/main.ts says which main.js or main.ts ran.
 */
describe('the build in dist/', () => {
  let checkout: string;
  let bin: string;
  const WHICH = 'which main:';

  const picogc = async (
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<CliResult & { ran: string }> => {
    const result = await runCli(args, { cwd: checkout, bin, env: { PICOGC_TEST_WHICH: '1', ...env } });
    const ran = new RegExp(`^${WHICH} (\\S+)$`, 'm').exec(result.stderr)?.[1] ?? 'nothing said';
    return { ...result, ran };
  };
  const build = () =>
    execFileSync(process.execPath, [join(checkout, 'scripts', 'build.js')], { cwd: checkout, stdio: 'pipe' });
  const fromDist = /\/dist\/cli\/main\.js$/;
  const fromSource = /\/src\/cli\/main\.ts$/;

  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'picogc-build-'));
    const parts = [
      'bin',
      'scripts',
      'src',
      'device-scripts',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ];
    for (const part of parts) await cp(join(REPO, part), join(checkout, part), { recursive: true });
    await symlink(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
    const main = join(checkout, 'src', 'cli', 'main.ts');
    await writeFile(
      main,
      `${await readFile(main, 'utf8')}\nif (process.env.PICOGC_TEST_WHICH) process.stderr.write(\`${WHICH} \${import.meta.url}\\n\`);\n`,
    );
    build();
    bin = join(checkout, 'bin', 'picogc.js');
  }, 120_000);
  afterAll(async () => {
    if (checkout) await rm(checkout, { recursive: true, force: true });
  });

  /** Make `path` (in the checkout) newer than the build, as an edit would; returns the undo. */
  const touch = async (path: string) => {
    const { atime, mtime } = await stat(join(checkout, path));
    const later = new Date(Date.now() + 1000);
    await utimes(join(checkout, path), later, later);
    return () => utimes(join(checkout, path), atime, mtime);
  };

  it('runs the built code, which finds the VM worker, device-scripts/ and package.json beside it', async () => {
    const help = await picogc(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.ran).toMatch(fromDist);

    const exec = await picogc(['exec', '--device', 'sim', 'print(6*7)']);
    expect(exec.stdout).toBe('42\r\n');
    expect(exec.ran).toMatch(fromDist);

    // run uploads device-scripts/*.py and stamps the report with package.json's version.
    const out = join(checkout, 'reports');
    const run = await picogc([
      'run',
      '--quick',
      '-e',
      'alloc-sizes',
      '--device',
      'sim',
      '--no-history',
      '--json',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.ran).toMatch(fromDist);
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect((JSON.parse(run.stdout) as { tool: { version: string } }).tool.version).toBe(version);
  });

  it('never runs a build older than a source: an edit, a new file or a removed one sends it to the sources', async () => {
    let undo = await touch('src/errors.ts');
    const edited = await picogc(['exec', '--device', 'sim', 'print(6*7)']);
    expect(edited.stdout).toBe('42\r\n');
    expect(edited.ran).toMatch(fromSource);
    await undo();
    expect((await picogc(['--help'])).ran).toMatch(fromDist);

    // An asset (the VM's worker) and the build's own recipe count as sources too.
    for (const path of ['src/sim/vm-worker.mjs', 'tsconfig.build.json', 'scripts/build.js']) {
      undo = await touch(path);
      expect((await picogc(['--help'])).ran, path).toMatch(fromSource);
      await undo();
    }

    const added = join(checkout, 'src', 'new-module.ts');
    await writeFile(added, 'export const answer = 42;\n');
    expect((await picogc(['--help'])).ran).toMatch(fromSource);
    await unlink(added);
    expect((await picogc(['--help'])).ran).toMatch(fromDist);

    const notes = join(checkout, 'src', 'sim', 'README.md');
    const away = join(checkout, 'README.md.away');
    await rename(notes, away);
    expect((await picogc(['--help'])).ran).toMatch(fromSource);
    await rename(away, notes);
    expect((await picogc(['--help'])).ran).toMatch(fromDist);
  }, 120_000);

  it('ignores the tests, which are not built', async () => {
    const undo = await touch('src/model/heap.test.ts');
    await writeFile(join(checkout, 'src', 'extra.test.ts'), '');
    expect((await picogc(['--help'])).ran).toMatch(fromDist);
    await undo();
  });

  it('runs the sources without a build, or when asked to', async () => {
    expect((await picogc(['--help'], { PICOGC_FROM_SOURCE: '1' })).ran).toMatch(fromSource);
    await rm(join(checkout, 'dist'), { recursive: true });
    const help = await picogc(['--help']);
    expect(help.code).toBe(0);
    expect(help.ran).toMatch(fromSource);
    build();
    expect((await picogc(['--help'])).ran).toMatch(fromDist);
  }, 120_000);
});
