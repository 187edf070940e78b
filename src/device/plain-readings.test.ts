import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memInfoText } from './plain-readings.ts';

/** A heap map a stock v1.28.0 build printed (2000 live bytearray(48), 144 lines). */
const MAP = readFileSync(
  new URL('../../test/fixtures/rp2-v1.28.0/mem_info1-2000-bytearray48.txt', import.meta.url),
  'utf8',
);

/** The map with line `index` read two other well-formed ways in two of its three copies. */
function copiesInDoubt(index: number): string {
  const lines = MAP.split('\r\n');
  const line = lines[index]!;
  const at = line.indexOf('h', 10);
  const readings = [line.replace('=', '.'), `${line.slice(0, at)}L${line.slice(at + 1)}`];
  return [
    ...readings.map((reading) => lines.map((l, i) => (i === index ? reading : l)).join('\r\n')),
    MAP,
  ].join('');
}

describe('a heap map of the virtual Pico (one snapshot every try)', () => {
  it('votes on the copies of every try so far: a line in doubt in each try alone is mended', async () => {
    const answers = [copiesInDoubt(6), copiesInDoubt(9)];
    let tries = 0;
    const stdout = await memInfoText(
      (_code, options) => {
        for (;;) {
          const answer = answers[tries++];
          if (answer === undefined) throw new Error('every try was in doubt');
          const verdict = options?.validate?.(answer);
          if (typeof verdict !== 'string')
            return Promise.resolve({
              stdout: verdict?.stdout ?? answer,
              stderr: '',
              pasteMode: 'raw-paste',
              tryMs: 0,
            });
        }
      },
      { heapMap: true },
      true,
    );
    expect(tries).toBe(2);
    expect(stdout).toBe(MAP);
  });
});
