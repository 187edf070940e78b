import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DeviceException, InputError } from '../errors.ts';
import { codeAt } from './recorded.ts';
import {
  againFrame,
  bytesLiteral,
  CHECKED_CALL,
  checkedFrame,
  completed,
  countFrame,
  countFrom,
  damagedCallNames,
  framedSource,
  missingParts,
  OUTPUT_END,
  partCrc,
  readChecked,
  streamedLines,
  STUB_SOURCE,
  takeAgain,
  UNKNOWN_LINES,
} from './verified-exec.ts';

/** A data line part as the stub prints it. */
const part = (seq: number, p: number, parts: number, text: string) =>
  `@picogc ${seq}.${p}/${parts} ${partCrc(`${seq}.${p}/${parts}`, text).toString(16).padStart(8, '0')} ${text}\r\n`;
/** The stub's answer: the line it prints before it reads the frame, its start marker, then `lines`. */
const answer = (...lines: string[]) => `@picogc?\r\n@picogc+\r\n${lines.join('')}`;

describe('checked execution: the host side', () => {
  it('escapes in a bytes literal every byte that Python would read otherwise', () => {
    expect(bytesLiteral(Buffer.from("a'b\\c\n\t\x00é"))).toBe("b'a\\'b\\\\c\\n\\t\\x00\\xc3\\xa9'");
  });

  it('frames the code as it is: its length twice, the again flag, its CRC, in a header of fixed width', () => {
    const frame = checkedFrame('print(1)');
    const crc = String(crc32(Buffer.from('print(1)'))).padStart(10, '0');
    expect(frame.toString('latin1')).toBe(
      `0000000008 0000000008 0 ${crc}\nprint(1)\x1e\x1e\x1e\x1e\x1e\x1e\x1e\n`,
    );
    expect(frame.indexOf('\n')).toBe(34); // the stub reads the header in one read of 35 bytes
    expect(againFrame(3, 1).toString('latin1')).toMatch(
      /^0000000019 0000000019 3 \d{10}\n_picogc_again\(3, 1\)\x1e/,
    );
    expect(countFrame().toString('latin1')).toMatch(/^0000000000 0000000000 3 0000000000\n\x1e/);
    expect(() => checkedFrame('x = 1\x1e\x1e\x1e\x1e\x1e\x1e\x1e\n')).toThrow(InputError);
  });

  it('a recorded exec gives its code back byte for byte (a replay names the script it was uploading)', () => {
    const code = 'x = \'a\\b\'\n\tprint(x, "é\x7f")\n';
    expect(framedSource(checkedFrame(code))?.toString('utf8')).toBe(code);
    expect(framedSource(Buffer.from('print(1)'))).toBeUndefined();
    // The host's bytes of two execs: the call pasted, then its frame once the stub asked for it.
    const host = Buffer.concat([
      Buffer.from(`\x05A\x01${CHECKED_CALL}\x04`, 'latin1'),
      checkedFrame('first()'),
      Buffer.from(`\x05A\x01${CHECKED_CALL}\x04`, 'latin1'),
      checkedFrame(code),
    ]);
    const second = host.lastIndexOf('\x05A\x01');
    expect(codeAt(host, 5).toString()).toBe('first()');
    expect(codeAt(host, 40).toString()).toBe('first()');
    expect(codeAt(host, second + 5).toString('utf8')).toBe(code);
    expect(codeAt(host, host.length).toString('utf8')).toBe(code);
  });

  it('interns in the stub every name one damaged byte of the call could make the compiler intern', () => {
    const names = damagedCallNames(`${CHECKED_CALL}\x04`);
    // A letter flipped, a byte lost, the Ctrl-D after the call flipped into a letter or a byte from 0x80.
    for (const name of ['_Q', '_p', 'P', '_', 'OP', 'D', '\x84', '_P8']) expect(names).toContain(name);
    expect(names).not.toContain('_P');
    // As names the stub's compiler reads (a function never called): a name only in a string would
    // still cost a lookup that interns it.
    expect(STUB_SOURCE).toContain(`def _picogc_names():\n return ${names.join(', ')}\n`);
  });

  it('a whole answer: markers gone, parts joined back into `@picogc {json}`, log lines kept in place', () => {
    const out = readChecked(
      answer(
        'log before\r\n',
        part(0, 0, 2, '{"a": 1, '),
        part(0, 1, 2, '"b": 2}'),
        'log after\r\n',
        '@picogc. 1 1\r\n',
      ),
    );
    expect(out).toEqual({ kind: 'ok', stdout: 'log before\r\n@picogc {"a": 1, "b": 2}\r\nlog after\r\n' });
  });

  it('output that does not end its line before the end marker is kept as it is', () => {
    expect(readChecked(answer('no newline@picogc. 0 0\r\n'))).toEqual({ kind: 'ok', stdout: 'no newline' });
  });

  it('the line the stub prints before reading is no answer, whole, damaged, or run into the start marker', () => {
    const out = { kind: 'ok', stdout: 'hi\r\n' };
    expect(readChecked('@picogc?\r\n@picogc+\r\nhi\r\n@picogc. 0 0\r\n')).toEqual(out);
    expect(readChecked('@pi\x00ogc?\r\n@picogc+\r\nhi\r\n@picogc. 0 0\r\n')).toEqual(out);
    expect(readChecked('@picogc?\r@picogc+\r\nhi\r\n@picogc. 0 0\r\n')).toEqual(out);
  });

  it('an end marker whose two counts differ was damaged: the count is asked for', () => {
    const out = readChecked(answer(part(0, 0, 1, '{}'), '@picogc. 7 1\r\n'));
    expect(out.kind === 'damaged' && out.gaps?.lines).toBe(UNKNOWN_LINES);
  });

  it('output ends at the end marker or at a refused upload, and nowhere else', () => {
    expect(OUTPUT_END.test('@picogc+\r\n@picogc. 3 3\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc! head\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc! 53 1402435360\r\n')).toBe(true);
    expect(OUTPUT_END.test('@picogc 0.0/1 d3c3f79b {"n": 1}\r\n')).toBe(false);
    expect(OUTPUT_END.test('@picogc+\r\n')).toBe(false);
    expect(OUTPUT_END.test('@picogc. 3 3\r\nmore\r\n')).toBe(false);
  });

  it('the stub refusing an upload, or a call failing before the script started, means: send it again', () => {
    expect(readChecked('@picogc?\r\n@picogc! 10 1234\r\n').kind).toBe('resend');
    expect(readChecked('@picogc?\r\n@picogc! head\r\n').kind).toBe('resend');
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
      'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n  File "<stdin>", line 31, in _P\n  File "<stdin>", line 9, in _picogc_x\n  File "<string>", line 2, in <module>\nZeroDivisionError: divide by zero\n',
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
    const out = readChecked(answer(part(0, 0, 1, '{"x": 1}'), broken, '@picogc. 2 2\r\n'));
    expect(out.kind).toBe('damaged');
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(missingParts(out.gaps)).toEqual([{ seq: 1, part: 0 }]);
    // The answer to the wrong question does not fill the gap; the right one does.
    expect(takeAgain(out.gaps, answer(part(0, 0, 1, '{"x": 1}')), 1, 0)).toBe(false);
    // A part whose number arrived damaged fails its CRC too: it is not put in another's place.
    expect(takeAgain(out.gaps, answer(part(1, 0, 1, '{"x": 2}').replace('1.0/1', '1.0/2')), 1, 0)).toBe(
      false,
    );
    expect(takeAgain(out.gaps, answer(part(1, 0, 1, '{"x": 2}'), '@picogc. 2 2\r\n'), 1, 0)).toBe(true);
    expect(missingParts(out.gaps)).toEqual([]);
    expect(completed(out.gaps)).toBe('@picogc {"x": 1}\r\n@picogc {"x": 2}\r\n');
  });

  it('a data line whose line end arrived damaged, run into the end marker, is asked for again, not kept as text', () => {
    const merged = part(0, 0, 1, '{"size": 63}').replace('\r\n', '\r\ufffd');
    const out = readChecked(answer(merged, '@picogc. 1 1\r\n'));
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(missingParts(out.gaps)).toEqual([{ seq: 0, part: 0 }]);
    takeAgain(out.gaps, answer(part(0, 0, 1, '{"size": 63}')), 0, 0);
    expect(completed(out.gaps)).toBe('@picogc {"size": 63}\r\n');
  });

  it('a data line none of whose parts arrived is asked for from its first part, which says how many follow', () => {
    const out = readChecked(answer(part(1, 0, 1, '{"n": 1}'), '@picogc. 2 2\r\n'));
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(missingParts(out.gaps)).toEqual([{ seq: 0, part: 0 }]);
    takeAgain(out.gaps, answer(part(0, 0, 2, '{"a": ')), 0, 0);
    expect(missingParts(out.gaps)).toEqual([{ seq: 0, part: 1 }]);
    takeAgain(out.gaps, answer(part(0, 1, 2, '0}')), 0, 1);
    expect(completed(out.gaps)).toBe('@picogc {"a": 0}\r\n@picogc {"n": 1}\r\n');
  });

  it('without its end marker the step still ran: the stub is asked how many lines it printed, not run again', () => {
    const out = readChecked(answer(part(0, 0, 1, '{"a": 0}'), '@picogc, 2 2\r\n'));
    expect(out.kind).toBe('damaged');
    if (out.kind !== 'damaged' || !out.gaps) throw new Error('expected gaps');
    expect(out.gaps.lines).toBe(UNKNOWN_LINES);
    out.gaps.lines = countFrom('@picogc?\r\n@picogc+\r\n@picogc. 2 2\r\n')!;
    expect(missingParts(out.gaps)).toEqual([{ seq: 1, part: 0 }]);
    expect(countFrom('@picogc?\r\n@picogc+\r\n@picogc, 2 2\r\n')).toBeUndefined();
    expect(countFrom('@picogc?\r\n@picogc+\r\n@picogc. 2 3\r\n')).toBeUndefined();
    // Neither marker: nothing says the script ran.
    expect(readChecked('@picogc?\r\nno start\r\n')).toMatchObject({
      kind: 'damaged',
      why: 'no start marker in the output',
    });
  });

  it('a damaged start marker with the end marker whole: the script ran, its answer is read as it is', () => {
    const out = readChecked(`@picogc?\r\n@pic\x0fgc+\r\nlog\r\n${part(0, 0, 1, '{"a": 1}')}@picogc. 1 1\r\n`);
    expect(out).toEqual({ kind: 'ok', stdout: 'log\r\n@picogc {"a": 1}\r\n' });
    // A damaged refusal is one line and no end marker: it is sent again.
    expect(readChecked('@picogc?\r\n@pic\x0fgc! 12 345\r\n').kind).toBe('damaged');
  });

  it('output shown as it arrives drops the markers and joins nothing it cannot', () => {
    const shown: string[] = [];
    const sink = streamedLines((text) => shown.push(text));
    sink('@picogc?\r\n@picogc+\r\nhel');
    sink(`lo\r\n${part(0, 0, 1, '{}')}@picogc. 1 1\r\n`);
    expect(shown.join('')).toBe('hello\r\n@picogc {}\r\n');
  });
});
