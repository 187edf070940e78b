import { describe, expect, it } from 'vitest';
import { ReplInput } from './repl-input.ts';

function input(mode: 'friendly' | 'raw', text: string): ReplInput {
  const repl = new ReplInput();
  repl.mode = mode;
  for (const byte of Buffer.from(text, 'latin1')) repl.push(byte);
  return repl;
}

function cuts(repl: ReplInput): string[] {
  const out: string[] = [];
  for (;;) {
    const cut = repl.next();
    if (cut.kind === 'wait') return out;
    out.push(cut.kind === 'feed' ? cut.bytes.toString('latin1') : cut.kind);
  }
}

describe('ReplInput', () => {
  it('cuts after each Ctrl-A, Ctrl-B and Ctrl-D so the server sees what each did', () => {
    expect(cuts(input('raw', 'print(1)\x04x\x01\x02'))).toEqual(['print(1)\x04', 'x\x01', '\x02']);
    expect(cuts(input('friendly', 'ab\rc\x01d'))).toEqual(['ab\rc\x01', 'd']);
  });

  it('Ctrl-B leaves raw mode', () => {
    const repl = input('raw', '\x02');
    cuts(repl);
    expect(repl.mode).toBe('friendly');
  });

  it('finds \\x05A\\x01 on an empty raw line without letting the VM see it', () => {
    expect(cuts(input('raw', '\x05A\x01'))).toEqual(['raw-paste']);
    expect(cuts(input('raw', 'x = 1\x04\x05A\x01'))).toEqual(['x = 1\x04', 'raw-paste']);
    expect(cuts(input('raw', 'ab\x03\x05A\x01'))).toEqual(['ab\x03', 'raw-paste']);
  });

  it('withholds a partial request until the next byte decides', () => {
    const repl = input('raw', '\x05');
    expect(cuts(repl)).toEqual([]);
    repl.push(0x41);
    expect(cuts(repl)).toEqual([]);
    repl.push(0x42);
    expect(cuts(repl)).toEqual(['\x05AB']);
  });

  it('\\x05A\\x01 in the middle of a raw line or in friendly mode is not a raw-paste request', () => {
    expect(cuts(input('raw', 'x\x05A\x01'))).toEqual(['x\x05A\x01']);
    expect(cuts(input('friendly', '\x05A\x01'))).toEqual(['\x05A\x01']);
  });

  it('drops input through a position (what a delivered Ctrl-C clears)', () => {
    const repl = input('raw', 'abc');
    const position = repl.pushedTotal;
    for (const byte of Buffer.from('\x03def', 'latin1')) repl.push(byte);
    repl.dropThrough(position);
    expect(cuts(repl)).toEqual(['def']);
  });
});
