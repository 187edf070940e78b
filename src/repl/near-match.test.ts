import { describe, expect, it } from 'vitest';
import { nearMatch } from './near-match.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const BANNER = bytes('raw REPL; CTRL-B to exit\r\n>');

describe('nearMatch', () => {
  it('finds the text as sent', () => {
    const text = bytes('OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
    expect(nearMatch(text, BANNER, 3)).toEqual({ start: 22, end: 49 });
  });

  it('finds it with a byte changed, lost or added', () => {
    expect(nearMatch(bytes('xxraw\xa0REPL; CTRL-B to exit\r\n>'), BANNER, 3)).toEqual({ start: 2, end: 29 });
    expect(nearMatch(bytes('xxraw REL; CTRL-B to exit\r\n>'), BANNER, 3)).toEqual({ start: 2, end: 28 });
    expect(nearMatch(bytes('xxraw REPPL; CTRL-B to exit\r\n>'), BANNER, 3)).toEqual({ start: 2, end: 30 });
  });

  it('does not take more damage than allowed, nor a text whose last byte has not arrived', () => {
    expect(nearMatch(bytes('rXw RXPL; CXRL-B Xo exit\r\n>'), BANNER, 3)).toBeNull();
    expect(nearMatch(bytes('raw REPL; CTRL-B to exit\r\n'), BANNER, 3)).toBeNull();
    expect(nearMatch(bytes('MicroPython v1.28.0\r\n>>> '), BANNER, 3)).toBeNull();
  });

  it('starts looking at `from`', () => {
    const text = bytes('raw REPL; CTRL-B to exit\r\n>raw REPL; CTRL-B to exit\r\n>');
    expect(nearMatch(text, BANNER, 0, 1)).toEqual({ start: 27, end: 54 });
  });
});
