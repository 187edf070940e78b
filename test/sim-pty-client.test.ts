import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '../src/errors.ts';
import { openLink, type Link } from '../src/link/open.ts';
import { RawRepl } from '../src/repl/raw-repl.ts';
import { collect, spawnCli } from './support/cli.ts';

/**
 * The virtual Pico as any serial tool sees it: `picogc sim --pty` in its own process, its
 * pseudo-terminal opened with the real serialport bindings, the same REPL client a board gets.
 */
describe('the REPL client against `picogc sim --pty`', () => {
  const sim = spawnCli(['sim', '--pty', '--seed', '7']);
  const done = collect(sim, 120_000);
  let link: Link;
  let repl: RawRepl;

  beforeAll(async () => {
    const path = await new Promise<string>((resolve, reject) => {
      createInterface({ input: sim.stdout! }).once('line', resolve);
      sim.once('exit', () => reject(new Error('picogc sim exited before printing its path')));
    });
    expect(path).toMatch(/^\//);
    link = await openLink(path);
    repl = new RawRepl(link.stream);
    await repl.enter({ softReset: true });
  });

  afterAll(async () => {
    repl?.close();
    await link?.close();
    sim.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(0);
  });

  it('runs code through raw-paste, and remembers the mode', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `x${i} = ${i}`).join('\n');
    const r = await repl.exec(
      `${body}\nprint(sum([${Array.from({ length: 60 }, (_, i) => `x${i}`).join(',')}]))`,
    );
    expect(r.stdout).toBe('1770\r\n');
    expect(r.pasteMode).toBe('raw-paste');
    expect(repl.pasteMode).toBe('raw-paste');
  });

  it('runs code in classic raw mode', async () => {
    const r = await repl.exec('print("classic", 6*7)', { forceClassic: true });
    expect(r).toMatchObject({ stdout: 'classic 42\r\n', pasteMode: 'classic' });
  });

  it('soft-resets to a fresh interpreter', async () => {
    await repl.exec('kept = 1');
    await repl.softReset();
    const r = await repl.execRaw('print(kept)');
    expect(r.stderr).toContain("NameError: name 'kept' isn't defined");
  });

  it('interrupts `while True: pass` on timeout and stays usable', async () => {
    await repl.exec('before = 5');
    const error = await repl.exec('while True:\n    pass', { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // The virtual Pico delivers Ctrl-C into the VM: globals survive, as on a board.
    expect((await repl.exec('print(before)')).stdout).toBe('5\r\n');
  });
});
