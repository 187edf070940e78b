import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';

/** `picogc exec` as a user runs it: a real process, the virtual Pico, the exit-code contract. */
describe.concurrent('picogc exec', () => {
  it('prints what the device prints', async () => {
    const r = await runCli(['exec', '--device', 'sim', 'print(6*7)']);
    expect(r.stdout).toBe('42\r\n');
    expect(r.code).toBe(0);
  });

  it('prints the traceback on stderr and exits 1 on a device exception', async () => {
    const r = await runCli(['exec', '--device', 'sim', '1/0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Traceback (most recent call last):');
    expect(r.stderr).toContain('ZeroDivisionError: divide by zero');
    expect(r.stdout).toBe('');
  });

  it('runs a file with -f', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picogc-exec-'));
    writeFileSync(join(dir, 'x.py'), 'import gc\nprint(gc.threshold(1000) or gc.threshold())\n');
    const r = await runCli(['exec', '--device', 'sim', '-f', join(dir, 'x.py')]);
    expect(r.stdout.trim()).toBe('992');
    expect(r.code).toBe(0);
  });
});

describe.concurrent('bad input: one line, the right exit code, no stack trace', () => {
  const oneLine = (text: string) => text.trim().split('\n').length === 1 && !/\n\s+at /.test(text);

  it.each([
    ['an unknown command', ['frobnicate'], 2],
    ['an unknown flag', ['exec', '--device', 'sim', '--bogus', 'print(1)'], 2],
    ['both code and a file', ['exec', '--device', 'sim', '-f', 'x.py', 'print(1)'], 2],
    ['a missing file', ['exec', '--device', 'sim', '-f', '/nonexistent/x.py'], 2],
    ['a port that does not exist', ['exec', '--port', '/dev/ttyNOPE0', 'print(1)'], 3],
    ['an unknown experiment', ['run', '--device', 'sim', '-e', 'nope'], 2],
    ['a bad fault spec', ['exec', '--device', 'sim', '--fault', 'explode', 'print(1)'], 2],
  ] as const)('%s', async (_what, args, code) => {
    const r = await runCli([...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^(picogc: |error: )/);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it('shows the stack trace with --verbose', async () => {
    const r = await runCli(['--verbose', 'exec', '--port', '/dev/ttyNOPE0', 'print(1)']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
