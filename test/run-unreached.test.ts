import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../src/experiments/index.ts';
import { unreachedSchema, type UnreachedReport } from '../src/report/unreached.ts';
import { runCli } from './support/cli.ts';
import { XMLLINT, titled, toolStatus } from './support/system-tools.ts';

/**
 * A board that is never reached still gets its run directory: `picogc run` on a virtual Pico whose
 * link dies (a) while it is opened, before the raw REPL is entered, and (b) inside the first exec,
 * the device's info() (its answer is several kB of JSON; the link dies a kB into it). The offsets
 * count bytes the device sent (src/sim/faults.ts): the banner, four `>>> ` prompts and the raw
 * REPL's banner are the first ~220; the info upload and its answer run from there to ~7500.
 */
const CONNECTING = 'disconnect:150';
const IDENTIFYING = 'disconnect:1000';
const RUN_ID = /^\d{8}T\d{6}Z-unreached-virtual_Pico_seed_1$/;

const xmllint = toolStatus(XMLLINT);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'picogc-unreached-'));
  dirs.push(d);
  return d;
}

function runsIn(out: string): string[] {
  return readdirSync(out).filter((d) => !d.startsWith('latest'));
}

function readUnreached(runDir: string): UnreachedReport {
  return unreachedSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')));
}

async function runUnreached(fault: string, out: string) {
  return runCli(['run', '--device', 'sim', '--seed', '1', '--quick', '--fault', fault, '--out', out]);
}

describe('a board that is never reached', () => {
  it('link lost while connecting: exit 3, the LinkError, and a run directory saying so', async () => {
    const out = outDir();
    const r = await runUnreached(CONNECTING, out);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^picogc: LinkError: entering the raw REPL: .*disconnect:150/m);
    const runs = runsIn(out);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(RUN_ID);
    const runDir = join(out, runs[0]!);
    expect(r.stderr).toContain(
      `picogc: the board was never reached (connecting); its report: ${join(runDir, 'report.json')}\n`,
    );
    expect(readlinkSync(join(out, 'latest'))).toBe(runs[0]);

    const u = readUnreached(runDir);
    expect(u).toMatchObject({
      schema: 'picogc.unreached/1',
      runId: runs[0],
      stage: 'connecting',
      target: { kind: 'sim', label: 'virtual Pico seed 1', id: 'virtual_Pico_seed_1', seed: 1 },
      options: { profile: 'quick' },
      verdict: 'error',
      exitCode: 3,
    });
    expect(u.error.name).toBe('LinkError');
    expect(u.error.message).toMatch(
      /^entering the raw REPL: .*disconnect:150.*last bytes received: MicroPython/,
    );
    // The device's bytes are in the message: its prompts and quotes, to be escaped by every view.
    expect(u.error.message).toContain('>>> ');
    expect(u.error.message).toContain('"help()');
    const planned = EXPERIMENTS.map((e) => e.id);
    expect(u.options.experiments).toEqual(planned);
    expect(u.notRun.experiments).toEqual(planned);
    expect(u.notRun.reason).toMatch(/^the board was never reached: opening the link .* failed: LinkError: /);
    expect(Date.parse(u.finishedAt)).toBeGreaterThanOrEqual(Date.parse(u.startedAt));

    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(html).toContain('Board not reached: virtual Pico seed 1');
    expect(html).toContain('&gt;&gt;&gt; ');
    expect(html).toContain('&quot;help()');
    expect(html).not.toContain('>>>');
    expect(html).not.toContain('"help()');
    const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# picogc run .*: ERROR \(the board was never reached\)\n/);
    expect(summary).toContain('- **Stopped while:** connecting: opening the link and entering the raw REPL');
    expect(summary).not.toContain('>>>');
    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    // One errored case per planned experiment, typed by the error that stopped the run.
    expect(junit.match(/<error message="not run: the board was never reached \(connecting: /g)).toHaveLength(
      planned.length,
    );
    expect(junit.match(/ type="LinkError">/g)).toHaveLength(planned.length);
    expect(junit).not.toContain('>>>');

    // What reads measurements refuses it by name, saying why; `picogc report` rebuilds its views.
    const compare = await runCli(['compare', runDir, join(out, 'latest')]);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(
      /^picogc: UnreachedRunError: .*report\.json is the report of a run that never reached its device \(virtual Pico seed 1\), so nothing was measured: opening the link and entering the raw REPL failed: LinkError: entering the raw REPL/,
    );
    const before = ['index.html', 'summary.md', 'junit.xml'].map((f) =>
      readFileSync(join(runDir, f), 'utf8'),
    );
    const rebuilt = await runCli(['report', runDir]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain('(picogc.unreached/1, run ');
    const after = ['index.html', 'summary.md', 'junit.xml'].map((f) => readFileSync(join(runDir, f), 'utf8'));
    expect(after).toEqual(before);
  });

  it.skipIf(!xmllint.available)(
    titled("the unreached run's junit.xml validates against the JUnit schema (xmllint)", xmllint),
    async () => {
      const out = outDir();
      const r = await runUnreached(CONNECTING, out);
      expect(r.code).toBe(3);
      const file = join(out, runsIn(out)[0]!, 'junit.xml');
      const lint = spawnSync('xmllint', ['--noout', '--schema', 'test/support/junit.xsd', file], {
        encoding: 'utf8',
      });
      expect(lint.stderr.trim()).toBe(`${file} validates`);
      expect(lint.status).toBe(0);
    },
  );

  it('link lost inside the first exec (info): exit 3, stage identifying, the same run directory', async () => {
    const out = outDir();
    const r = await runUnreached(IDENTIFYING, out);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^picogc: LinkError: exec: .*disconnect:1000/m);
    expect(r.stderr).toContain('picogc: the board was never reached (identifying); its report: ');
    const runs = runsIn(out);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(RUN_ID);
    const runDir = join(out, runs[0]!);
    const u = readUnreached(runDir);
    expect(u.stage).toBe('identifying');
    expect(u.error.name).toBe('LinkError');
    expect(u.error.message).toMatch(/^exec: .*disconnect:1000.*last bytes received: /);
    // This far in, the bytes received are the device's JSON answer: quotes, escaped in the page.
    expect(u.error.message).toContain('\\"version\\"');
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(html).toContain('\\&quot;version\\&quot;');
    expect(html).not.toContain('"version');
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(
      '- **Stopped while:** identifying: asking the board who it is \\(its first exec\\)',
    );
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toContain(
      '<property name="stage" value="identifying"/>',
    );
  });

  it('several boards: each unreached board its run directory and latest link, named in the outcome table', async () => {
    const out = outDir();
    const r = await runCli([
      'run',
      '--device',
      'sim',
      '--seed',
      '1',
      '--seed',
      '2',
      '--quick',
      '--fault',
      CONNECTING,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(3);
    const runs = runsIn(out).sort();
    expect(runs).toHaveLength(2);
    for (const [i, seed] of [1, 2].entries()) {
      const runId = runs[i]!;
      expect(runId).toMatch(new RegExp(`-unreached-virtual_Pico_seed_${seed}$`));
      expect(readlinkSync(join(out, `latest-virtual_Pico_seed_${seed}`))).toBe(runId);
      expect(readUnreached(join(out, runId)).target.seed).toBe(seed);
      expect(r.stdout).toContain(`  never reached (connecting); report: ${join(out, runId)}\n`);
      expect(r.stdout).toMatch(
        new RegExp(
          `^virtual Pico seed ${seed} +- +error +3 +${join(out, runId).replace(/[.]/g, '\\.')}$`,
          'm',
        ),
      );
    }
  });

  it('the nightly: its summary and JUnit point at the unreached run', async () => {
    const out = outDir();
    const r = await runCli([
      'nightly',
      '--device',
      'sim',
      '--seed',
      '1',
      '--quick',
      '--fault',
      IDENTIFYING,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(3);
    const runId = runsIn(out).find((d) => RUN_ID.test(d));
    expect(runId).toBeDefined();
    expect(readUnreached(join(out, runId!)).stage).toBe('identifying');
    expect(r.stdout).toContain(`  never reached (identifying); report: ${join(out, runId!)}\n`);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain(`- **Never reached** (identifying); report: ${runId!.replace(/_/g, '\\_')}`);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain(`<property name="run" value="${runId!}"/>`);
    expect(junit).toContain('<property name="stage" value="identifying"/>');
  });
});
