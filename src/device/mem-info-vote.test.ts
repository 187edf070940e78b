import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../prng.ts';
import { MAP_COPIES, memInfoCopiesCode, voteMemInfo } from './mem-info-vote.ts';

/** A heap map a stock v1.28.0 build printed (2000 live bytearray(48), 144 lines). */
const MAP = readFileSync(
  new URL('../../test/fixtures/rp2-v1.28.0/mem_info1-2000-bytearray48.txt', import.meta.url),
  'utf8',
);
const lines = MAP.split('\r\n');
const replaceLine = (text: string, index: number, line: string) => {
  const copy = text.split('\r\n');
  copy[index] = line;
  return copy.join('\r\n');
};

/** A copy as a noisy link delivers it: each byte flipped in one bit, or lost, with probability `rate`. */
function damaged(text: string, rate: number, seed: number): string {
  const random = seededRandom(seed);
  let out = '';
  for (const char of text) {
    const roll = random.next();
    if (roll < rate / 2) continue;
    out += roll < rate ? String.fromCharCode(char.charCodeAt(0) ^ (1 << random.int(7))) : char;
  }
  return out;
}

describe('a heap map put together from copies of one snapshot', () => {
  it('asks for the copies in one exec, with nothing between the calls that could allocate', () => {
    expect(memInfoCopiesCode('micropython.mem_info(1)')).toBe(
      'import micropython\nmicropython.mem_info(1)\nmicropython.mem_info(1)\nmicropython.mem_info(1)',
    );
    expect(MAP_COPIES).toBe(3);
  });

  it('takes each damaged line from a copy where it arrived whole: the map comes back byte for byte', () => {
    const map0 = lines[5]!;
    const copies = [
      replaceLine(MAP, 5, map0.replace('h', 'x')), // a map line's block out of the alphabet
      replaceLine(MAP, 1, lines[1]!.replace('used', 'uXed')), // the GC line
      replaceLine(MAP, 40, lines[40]!.slice(0, 30)), // a line cut short, in a copy of its own
    ];
    expect(voteMemInfo(copies.join(''))).toEqual({ stdout: MAP });
  });

  it('a line with two well-formed readings, neither seen twice, is in doubt and not guessed', () => {
    const line = lines[6]!;
    const at = line.indexOf('h', 10);
    const other = `${line.slice(0, at)}L${line.slice(at + 1)}`; // a head read as another head: counts unchanged
    // Seen twice against once, the majority stands.
    const copies = [MAP, MAP, replaceLine(MAP, 6, other)];
    expect(voteMemInfo(copies.join(''))).toEqual({ stdout: MAP });
    const doubt = [
      replaceLine(MAP, 6, line.replace('=', '.')),
      replaceLine(MAP, 6, other),
      replaceLine(MAP, 6, '?'),
    ];
    expect(voteMemInfo(doubt.join(''))).toMatch(/^1 line of the heap map in doubt$/);
  });

  it('votes a map line block by block: damaged in every copy, at other blocks each time, it comes back whole', () => {
    const line = lines[20]!;
    const at = (i: number, char: string) => `${line.slice(0, 10 + i)}${char}${line.slice(11 + i)}`;
    const copies = [
      replaceLine(MAP, 20, at(3, 'x')), // out of the alphabet: no vote
      replaceLine(MAP, 20, at(30, line[40] === 'L' ? 'D' : 'L')), // another block letter
      replaceLine(MAP, 20, at(50, '\u0001')),
    ];
    expect(voteMemInfo(copies.join(''))).toEqual({ stdout: MAP });
  });

  it('leaves out a map line whose offset a flipped bit moved into a run of free lines, with the note after it', () => {
    // Line 141 is followed by "(102 lines all free)": one copy prints it at an offset in that run.
    const offset = Number.parseInt(lines[141]!.slice(0, 8), 16);
    const moved = (offset + 50 * 1024).toString(16).padStart(8, '0');
    const copies = [MAP, MAP, replaceLine(MAP, 141, `${moved}${lines[141]!.slice(8)}`)];
    expect(voteMemInfo(copies.join(''))).toEqual({ stdout: MAP });
  });

  it('leaves out an area line one copy printed changed, with the map lines after it', () => {
    const copies = [MAP, replaceLine(MAP, 3, lines[3]!.replace('20003f80', '2003f80')), MAP];
    expect(voteMemInfo(copies.join(''))).toEqual({ stdout: MAP });
    // Seen once each, no area is confirmed: then none is left out for it.
    const once = [replaceLine(MAP, 3, 'GC mXmory'), replaceLine(MAP, 3, 'GC mYmory'), MAP];
    expect(voteMemInfo(once.join(''))).toEqual({ stdout: MAP });
  });

  it("a line one block short that is not its area's last lost a block in every copy: in doubt", () => {
    const unplaced = `zzzzzzzz${lines[20]!.slice(8)}`;
    const copies = [
      replaceLine(MAP, 20, lines[20]!.slice(0, -1)),
      replaceLine(MAP, 20, unplaced),
      replaceLine(MAP, 20, unplaced),
    ];
    expect(voteMemInfo(copies.join(''))).toBe('1 line of the heap map in doubt');
    // The last line is short in every copy; two copies of it short by different lengths agree on none.
    const last = lines[143]!;
    const ragged = [
      replaceLine(MAP, 143, last.slice(0, -1)),
      replaceLine(MAP, 143, last.slice(0, -2)),
      replaceLine(MAP, 143, `zzzzzzzz${last.slice(8)}`),
    ];
    expect(voteMemInfo(ragged.join(''))).toBe('1 line of the heap map in doubt');
  });

  it('a line lost from every copy leaves the map incomplete: named, never filled in', () => {
    const without = MAP.split('\r\n')
      .filter((_, i) => i !== 20)
      .join('\r\n');
    expect(voteMemInfo([without, without, without].join(''))).toMatch(
      /^put together from 3 copies, mem_info does not parse: .*expected offset/,
    );
  });

  it('over a link that damages one byte in 1000 (bit flips and losses), a mended map is always the true one', () => {
    let mended = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const copies = [0, 1, 2].map((i) => damaged(MAP, 1e-3, seed * 7 + i)).join('');
      const result = voteMemInfo(copies);
      if (typeof result === 'string') continue;
      expect(result.stdout).toBe(MAP);
      mended++;
    }
    // Three 10 KB copies at this rate mend in about nine tries of ten (53 of these 60; 44 when
    // lines were voted on whole); a failure is asked for again as three new copies.
    expect(mended).toBeGreaterThanOrEqual(50);
  });
});
