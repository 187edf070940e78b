import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDevice } from '../src/device/open.ts';
import type { Device } from '../src/device/device.ts';
import { bytesLiteral, stubInstall } from '../src/device/verified-exec.ts';

/**
 * The stub's installer is the one upload no CRC covers: the REPL compiles it as it arrives. A byte
 * lost where it does not matter would install the stub all the same from a different source, and
 * that source stays in the REPL's line buffer (the virtual Pico's, or a raw REPL's without raw
 * paste), which every later collection scans: every figure after it moves. So no byte of it may be
 * optional: with any one byte lost it must fail, or print something other than its ready line and
 * True (the host installs again), or leave no stub (the probe after it finds none).
 */
let device: Device;
beforeAll(async () => {
  device = await openDevice({ device: 'sim', seed: 1 });
});
afterAll(async () => {
  await device.close();
});

const { code, stdin } = stubInstall();

/**
 * The indices of `variants` that would pass for a whole install: each run by the real VM in its own
 * globals, its `import sys` given a sys whose stdin holds the stub's lines (a read past them raises,
 * where the device would wait), its print collected; passed when it raised nothing (the host takes an
 * exception for a failed install), printed the ready line and True, and defined the stub's call.
 */
async function wholeInstalls(variants: string[]): Promise<number[]> {
  const lines = stdin
    .toString('latin1')
    .split(/(?<=\n)/)
    .map((line) => bytesLiteral(Buffer.from(line, 'latin1')));
  const { stdout } = await device.exec(
    [
      'import sys',
      `L = [${lines.join(', ')}]`,
      `V = [${variants.map((v) => JSON.stringify(v)).join(', ')}]`,
      'class Stdin:',
      '    def __init__(self):',
      '        self.i = 0',
      '    def readline(self):',
      '        if self.i == len(L):',
      '            raise EOFError',
      '        self.i += 1',
      '        return L[self.i - 1]',
      'class Fake:',
      '    pass',
      'real = sys',
      'for i, v in enumerate(V):',
      '    fake = Fake()',
      '    fake.stdin = Fake()',
      '    fake.stdin.buffer = Stdin()',
      '    out = []',
      "    g = {'print': lambda *a: out.append(' '.join(str(x) for x in a))}",
      "    real.modules['sys'] = fake",
      '    ok = True',
      '    try:',
      '        exec(v, g)',
      '    except Exception:',
      '        ok = False',
      "    real.modules['sys'] = real",
      "    if ok and out == ['@picogc?', 'True'] and '_P' in g:",
      '        print(i)',
    ].join('\n'),
    { timeoutMs: 60_000 },
  );
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

describe('the stub installer with one byte lost on the way', () => {
  it('never installs the stub under the answer of a whole install', async () => {
    const lost = [...code].map((_, at) => code.slice(0, at) + code.slice(at + 1));
    // The installer itself first: the check must see a whole install as one.
    const passed = await wholeInstalls([code, ...lost]);
    expect(passed[0]).toBe(0);
    // Where the lost byte was (variant i lost the byte at i - 1), with a few bytes either side.
    const where = passed
      .slice(1)
      .map((i) =>
        JSON.stringify([code.slice(Math.max(0, i - 13), i - 1), code[i - 1], code.slice(i, i + 12)]),
      );
    expect(where).toEqual([]);
  });
});
