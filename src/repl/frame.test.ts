import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTranscript } from '../../test/support/fixtures.ts';
import { FrameParser, parseDeviceException, UNPARSED_ERROR_TYPE } from './frame.ts';

/** Cut `bytes` at the given sizes (cycled). */
function cut(bytes: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

describe('FrameParser', () => {
  it('splits stdout and stderr and reports where the frame ended', () => {
    const parser = new FrameParser();
    const chunk = Buffer.from('42\r\n\x04oops\x04>rest', 'latin1');
    const used = parser.push(chunk);
    expect(parser.done).toBe(true);
    expect([parser.stdout, parser.stderr]).toEqual(['42\r\n', 'oops']);
    expect(chunk.subarray(used).toString('latin1')).toBe('>rest');
  });

  it('is unaffected by where the chunks are cut (property), UTF-8 included', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', '€', '𝄞', '\r', '\n', '>', ' ', '\x01') });
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
        (out, err, sizes) => {
          const streamed: string[] = [];
          const parser = new FrameParser({ onStdout: (t) => streamed.push(t) });
          const bytes = Buffer.concat([Buffer.from(`${out}\x04${err}\x04`, 'utf8'), Buffer.from('>')]);
          let consumed = 0;
          for (const piece of cut(bytes, sizes)) {
            if (parser.done) break;
            consumed += parser.push(piece);
          }
          expect(parser.stdout).toBe(out);
          expect(parser.stderr).toBe(err);
          expect(streamed.join('')).toBe(out);
          expect(consumed).toBe(bytes.length - 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not carry a sequence truncated by the separator into the next part', () => {
    const parser = new FrameParser();
    parser.push(Buffer.from([0x61, 0xe2, 0x82, 0x04, 0x62, 0x04]));
    expect(parser.stdout).toBe('a\ufffd');
    expect(parser.stderr).toBe('b');
  });
});

describe('parseDeviceException', () => {
  const deviceText = (name: 'raw-repl-classic' | 'memory-error' | 'interrupt') =>
    Buffer.concat(loadTranscript(name).map((e) => e.device)).toString('latin1');
  const stderrOf = (text: string, marker: string) => {
    const end = text.indexOf(marker);
    const start = text.lastIndexOf('\x04', end) + 1;
    return text.slice(start, text.indexOf('\x04', end));
  };

  it('parses the real ZeroDivisionError, MemoryError and KeyboardInterrupt tracebacks', () => {
    const zero = parseDeviceException(stderrOf(deviceText('raw-repl-classic'), 'ZeroDivisionError'));
    expect([zero.type, zero.detail]).toEqual(['ZeroDivisionError', 'divide by zero']);
    expect(zero.traceback).toBe(
      'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nZeroDivisionError: divide by zero\n',
    );
    const memory = parseDeviceException(stderrOf(deviceText('memory-error'), 'MemoryError'), 'out');
    expect(memory.isMemoryError).toBe(true);
    expect(memory.detail).toBe('memory allocation failed, allocating 400000 bytes');
    expect(memory.stdout).toBe('out');
    const interrupt = parseDeviceException(stderrOf(deviceText('interrupt'), 'KeyboardInterrupt'));
    expect(interrupt.isKeyboardInterrupt).toBe(true);
    expect(interrupt.detail).toBe('');
    expect(interrupt.message).toBe('KeyboardInterrupt');
  });

  it('handles no traceback header, a bare type, a multi-line message and a SyntaxError frame', () => {
    expect(parseDeviceException('KeyboardInterrupt: \r\n').type).toBe('KeyboardInterrupt');
    expect(parseDeviceException('StopIteration\r\n').detail).toBe('');
    const multi = parseDeviceException(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 3, in f\r\nValueError: line one\r\nline two\r\n',
    );
    expect([multi.type, multi.detail]).toEqual(['ValueError', 'line one\nline two']);
    const syntax = parseDeviceException(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 2\r\nSyntaxError: invalid syntax\r\n',
    );
    expect([syntax.type, syntax.detail]).toEqual(['SyntaxError', 'invalid syntax']);
  });

  it('does not guess at text that is not a traceback', () => {
    const odd = parseDeviceException('some driver wrote this\r\n');
    expect(odd.type).toBe(UNPARSED_ERROR_TYPE);
    expect(odd.detail).toBe('some driver wrote this');
  });
});
