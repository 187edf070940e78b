import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DeviceException } from '../errors.ts';
import {
  againCall,
  bytesLiteral,
  checkedCall,
  completed,
  countCall,
  countFrom,
  missingParts,
  OUTPUT_END,
  readChecked,
  streamedLines,
  takeAgain,
  uncheckedSource,
  UNKNOWN_LINES,
} from './verified-exec.ts';

/** A data line part as the stub prints it. */
const part = (seq: number, p: number, parts: number, text: string) =>
  `@picogc ${seq}.${p}/${parts} ${crc32(Buffer.from(text)).toString(16).padStart(8, '0')} ${text}\r\n`;
const answer = (...lines: string[]) => `@picogc+\r\n${lines.join('')}`;

describe('checked execution: the host side', () => {
  it('sends the code as a bytes literal with its CRC, every byte escaped that Python would read otherwise', () => {
    expect(bytesLiteral(Buffer.from("a'b\\c\n\t\x00é"))).toBe("b'a\\'b\\\\c\\n\\t\\x00\\xc3\\xa9'");
    const call = checkedCall('print(1)');
    expect(call).toBe(`_picogc_x(b'print(1)', ${crc32(Buffer.from('print(1)'))})`);
    expect(againCall(3, 1)).toMatch(/^_picogc_x\(b'_picogc_again\(3, 1\)', \d+, 1\)$/);
  });

  it('a recorded call gives its code back byte for byte (a replay names the script it was uploading)', () => {
    const code = 'x = \'a\\b\'\n\tprint(x, "é\x7f")\n';
    expect(uncheckedSource(Buffer.from(checkedCall(code)))?.toString('utf8')).toBe(code);
    expect(uncheckedSource(Buffer.from(againCall(0, 2)))?.toString()).toBe('_picogc_again(0, 2)');
    expect(uncheckedSource(Buffer.from('print(1)'))).toBeUndefined();
  });

  it('a whole answer: markers gone, parts joined back into `@picogc {json}`, log lines kept in place', () => {
    const out = readChecked(
      answer(
        'log before\r\n',
        part(0, 0, 2, '{"a": 1, '),
        part(0, 1, 2, '"b": 2}'),
        'log after\r\n',
        '@picogc. 1\r\n',
      ),
    );
    expect(out).toEqual({ kind: 'ok', stdout: 'log before\r\n@picogc {"a": 1, "b": 2}\r\nlog after\r\n' });
  });

  it('output that does not end its line before the end marker is kept as it is', () => {
    expect(readChecked(answer('no newline@picogc. 0\r\n'))).toEqual({ kind: 'ok', stdout: 'no newline' });
  });

  it('output ends at the end marker or at a refused upload, and nowhere else', () => {
    expect(OUTPUT_END.test('@picogc+\r\n@picogc. 3\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc! 53 1402435360\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc! stub\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc 0.0/1 d3c3f79b {"n": 1}\r\n')).toBe(false);
    expect(OUTPUT_END.test('@picogc+\r\n')).toBe(false);
    expect(OUTPUT_END.test('@picogc. 3\r\nmore\r\n')).toBe(false);
  });

  it('the stub refusing an upload, or a call failing before the script started, means: send it again', () => {
    expect(readChecked('@picogc! 10 1234\r\n').kind).toBe('resend');
    const syntax = new DeviceException(
      'SyntaxError',
      'invalid syntax',
      'Traceback...\nSyntaxError: invalid syntax\n',
    );
    const out = readChecked('', syntax);
    expect(out.kind).toBe('resend');
    expect(out.kind === 'resend' && out.why).toMatch(/before the script started/);
  });

  it("the script's own exception is the firmware's answer, with the stub's frames taken out of the traceback", () => {
    const raised = new DeviceException(
      'ZeroDivisionError',
      'divide by zero',
      'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n  File "<stdin>", line 9, in _picogc_x\n  File "<string>", line 2, in <module>\nZeroDivisionError: divide by zero\n',
    );
    const out = readChecked(answer('printed first\r\n'), raised);
    expect(out.kind).toBe('raised');
    if (out.kind !== 'raised') return;
    expect(out.error.traceback).toBe(
      'Traceback (most recent call last):\n  File "<stdin>", line 2, in <module>\nZeroDivisionError: divide by zero\n',
    );
    expect(out.error.stdout).toBe('printed first\r\n');
  });

  it('a damaged part is found by its CRC and asked for again; the step is not run again', () => {
    const broken = part(1, 0, 1, '{"x": 2}').replace('"x"', '"y"');
    const out = readChecked(answer(part(0, 0, 1, '{"x": 1}'), broken, '@picogc. 2\r\n'));
    expect(out.kind).toBe('damaged');
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(missingParts(out.gaps)).toEqual([{ seq: 1, part: 0 }]);
    // The answer to the wrong question does not fill the gap; the right one does.
    expect(takeAgain(out.gaps, answer(part(0, 0, 1, '{"x": 1}')), 1, 0)).toBe(false);
    expect(takeAgain(out.gaps, answer(part(1, 0, 1, '{"x": 2}'), '@picogc. 2\r\n'), 1, 0)).toBe(true);
    expect(missingParts(out.gaps)).toEqual([]);
    expect(completed(out.gaps)).toBe('@picogc {"x": 1}\r\n@picogc {"x": 2}\r\n');
  });

  it('a data line none of whose parts arrived is asked for from its first part, which says how many follow', () => {
    const out = readChecked(answer(part(1, 0, 1, '{"n": 1}'), '@picogc. 2\r\n'));
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(missingParts(out.gaps)).toEqual([{ seq: 0, part: 0 }]);
    takeAgain(out.gaps, answer(part(0, 0, 2, '{"a": ')), 0, 0);
    expect(missingParts(out.gaps)).toEqual([{ seq: 0, part: 1 }]);
    takeAgain(out.gaps, answer(part(0, 1, 2, '0}')), 0, 1);
    expect(completed(out.gaps)).toBe('@picogc {"a": 0}\r\n@picogc {"n": 1}\r\n');
  });

  it('without its end marker the step still ran: the stub is asked how many lines it printed, not run again', () => {
    const out = readChecked(answer(part(0, 0, 1, '{"a": 0}'), '@picogc, 2\r\n'));
    expect(out.kind).toBe('damaged');
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(out.gaps.lines).toBe(UNKNOWN_LINES);
    expect(countCall()).toBe("_picogc_x(b'', 0, 1)");
    out.gaps.lines = countFrom('@picogc+\r\n@picogc. 2\r\n')!;
    expect(missingParts(out.gaps)).toEqual([{ seq: 1, part: 0 }]);
    expect(countFrom('@picogc+\r\n@picogc, 2\r\n')).toBeUndefined();
    // Neither marker: nothing says the script ran.
    expect(readChecked('no start\r\n')).toMatchObject({
      kind: 'damaged',
      why: 'no start marker in the output',
    });
  });

  it('a damaged start marker with the end marker whole: the script ran, its answer is read as it is', () => {
    const out = readChecked(`@pic\x0fgc+\r\nlog\r\n${part(0, 0, 1, '{"a": 1}')}@picogc. 1\r\n`);
    expect(out).toEqual({ kind: 'ok', stdout: 'log\r\n@picogc {"a": 1}\r\n' });
    // A damaged refusal is one line and no end marker: it is sent again.
    expect(readChecked('@pic\x0fgc! 12 345\r\n').kind).toBe('damaged');
  });

  it('output shown as it arrives drops the markers and joins nothing it cannot', () => {
    const shown: string[] = [];
    const sink = streamedLines((text) => shown.push(text));
    sink('@picogc+\r\nhel');
    sink(`lo\r\n${part(0, 0, 1, '{}')}@picogc. 1\r\n`);
    expect(shown.join('')).toBe('hello\r\n@picogc {}\r\n');
  });
});
