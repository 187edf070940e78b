import { crc32 } from 'node:zlib';
import { DeviceException, InputError } from '../errors.ts';
import { DATA_MARK } from './data-lines.ts';
import { SURFACE_MODULES } from '../sim/surface.ts';

/**
 * Checked execution (issue 16): the raw REPL compiles one short call, `_P()`, for every exec; the
 * stub it calls reads the code from stdin in a frame with its length and CRC-32, and compiles it
 * only if it arrived whole. So no byte damaged on the link is ever compiled but the call's own four:
 * a damaged call fails at once, and every name it could make the compiler intern (which would stay
 * in the heap for good and move every figure after it) was interned when the stub was installed.
 * Every data line carries its sequence number and a CRC-32 of its JSON. A damaged upload is
 * answered `@picogc! …` and sent again; a damaged or missing data line is asked for again. Marker
 * lines differ from data lines (`@picogc ` + space) in the byte after the mark.
 */

/** Characters in one part of a data line. */
const PART = 192;
/** Data lines of one step the stub keeps without growing its list (alloc-sizes emits 21). */
const OUT_SLOTS = 128;
/** What the raw REPL compiles for each checked exec. */
export const CHECKED_CALL = '_P()';
/** The stub's function that reads a frame (the name `CHECKED_CALL` calls). */
const READER = '_P';
/**
 * Ends a frame: the stub reads exactly the announced length, then this line, so a frame that lost
 * up to seven bytes is still read to its end (and refused) instead of waiting for more.
 */
const TRAILER = Buffer.from('\x1e\x1e\x1e\x1e\x1e\x1e\x1e\n', 'latin1');
/**
 * Ends the stub's wait for a frame that lost or damaged a line end or many bytes, or that never
 * came: the trailer once more, which every read the stub may be in comes to the end of (and then
 * refuses the frame). Short, so that sent to a raw prompt it stays within the REPL's line buffer
 * (a line that grew it would move the buffer in the heap for good), which the Ctrl-C after clears.
 */
export const FRAME_KICK = TRAILER;

/** Bytes for the stub (or its installer) to read from stdin, ended by FRAME_KICK if it waits for more. */
export function stubStdin(data: Buffer): { data: Buffer; kick: Buffer } {
  return { data, kick: FRAME_KICK };
}

/**
 * A frame's header line: `length length again crc\n`, the length twice (zero-padded to 10 digits;
 * two copies that agree arrived whole), `again` one of two bytes two bits apart (a one-bit fault
 * makes neither), the code's CRC-32 as 10 digits (read as two halves of 5: small integers).
 */
const HEAD_BYTES = 35;
const AGAIN = { no: 0x30, yes: 0x33 } as const;

const READY = '@picogc?';
const BAD_UPLOAD = '@picogc!';
/** The stub's line before it runs the code: the code's output follows it. */
export const STARTED = '@picogc+';
const ENDED = '@picogc.';

/** Defined once per VM (again after every soft reset): the stub and the data-line counter. */
export const STUB_SOURCE = [
  'import binascii, micropython, sys',
  '_picogc_n = [0]',
  // The step's data lines, kept to be asked for again, in a list made once with room for them:
  // an item array grown while the heap was full would stay high in the heap for good (a list only
  // shrinks in place), and every later collection would sweep up to it (v1.22+ sweeps to the last
  // used block). A new list each step would land wherever the step's garbage left room.
  `_picogc_out = [None] * ${OUT_SLOTS}`,
  `_picogc_end = ${bytesLiteral(TRAILER)}`,
  // Interned now, as the stub is compiled: every name a damaged call could make the compiler
  // intern. The Ctrl-D after it counts: damaged, it is text. As names in a function never called:
  // a name looked up that is not yet interned costs a collection more, for good (measured).
  'def _picogc_names():',
  `    return ${damagedCallNames(`${CHECKED_CALL}\x04`).join(', ')}`,
  // The virtual Pico makes some of a Pico's surface of Python, imported only before code that names
  // it (src/sim/surface.ts). Code comes through stdin, past the REPL that looked: the stub looks.
  // On a Pico the module is not there (and the name is in C): nothing is imported.
  `_picogc_sf = (${surfaceWords()},)`,
  'def _picogc_word(c):',
  "    return c.isalpha() or c.isdigit() or c == b'_'",
  'def _picogc_surface(src):',
  '    for w, m, prefix in _picogc_sf:',
  '        i = src.find(w)',
  '        while i >= 0:',
  '            e = i + len(w)',
  '            if not _picogc_word(src[i - 1 : i] if i else b"") and (prefix or not _picogc_word(src[e : e + 1])):',
  '                try:',
  '                    __import__(m)',
  '                except ImportError:',
  '                    pass',
  '                break',
  '            i = src.find(w, i + 1)',
  'def _picogc_x(src, again):',
  "    print('@picogc+')",
  '    if not again:',
  '        i = _picogc_n[0]',
  '        while i:',
  '            i -= 1',
  '            _picogc_out[i] = None',
  '        _picogc_n[0] = 0',
  '        _picogc_surface(src)',
  '    exec(src, globals())',
  // The count twice: one damaged digit would otherwise ask for lines the step never printed.
  `    print('${ENDED}', _picogc_n[0], _picogc_n[0])`,
  // Digits `h[i:e]` as a number, -1 if one is not a digit. By hand, in a loop: slices, split and
  // int() would leave garbage in the heap at every exec, which the experiments would then measure.
  'def _picogc_num(h, i, e):',
  '    if len(h) < e:',
  '        return -1',
  '    n = 0',
  '    while i < e:',
  '        d = h[i] - 48',
  '        if d < 0 or d > 9:',
  '            return -1',
  '        n = n * 10 + d',
  '        i += 1',
  '    return n',
  // The frame: its header line, the code, the trailer line.
  // Ctrl-C is a byte of the frame while it is read: a KeyboardInterrupt would keep its traceback
  // (referenced from the VM's state) until the next one, and every later collection would mark it.
  // The host ends a read it gave up on with FRAME_KICK instead. The code itself runs interruptible.
  `def ${READER}():`,
  '    r = sys.stdin.buffer',
  '    micropython.kbd_intr(-1)',
  '    try:',
  `        print('${READY}')`,
  '        h = r.readline()',
  '        n = _picogc_num(h, 0, 10)',
  '        hi = _picogc_num(h, 24, 29)',
  '        lo = _picogc_num(h, 29, 34)',
  `        if len(h) != ${HEAD_BYTES} or n < 0 or n != _picogc_num(h, 11, 21) or h[22] not in (${AGAIN.no}, ${AGAIN.yes}) or hi < 0 or lo < 0:`,
  // A header that ran into its code (its line end lost) is read on to the trailer.
  '            while not h.endswith(_picogc_end):',
  '                h = r.readline()',
  `            print('${BAD_UPLOAD} head')`,
  '            return',
  '        src = r.read(n)',
  '        c = binascii.crc32(src)',
  '        if r.readline() != _picogc_end or c // 100000 != hi or c % 100000 != lo:',
  `            print('${BAD_UPLOAD}', len(src), c)`,
  '            return',
  '    finally:',
  '        micropython.kbd_intr(3)',
  `    _picogc_x(src, h[22] == ${AGAIN.yes})`,
  // A data line goes out in parts of PART characters, each with its CRC: on a noisy link a short
  // part arrives whole far more often than a long line would.
  'def _picogc_part(seq, body, p):',
  `    c = body[p * ${PART} : (p + 1) * ${PART}]`,
  // The CRC covers the part's number too: a damaged digit there would put a whole part in the wrong place.
  `    h = '%d.%d/%d' % (seq, p, (len(body) + ${PART - 1}) // ${PART} or 1)`,
  "    print('@picogc %s %08x %s' % (h, binascii.crc32(c.encode(), binascii.crc32(h.encode())), c))",
  'def _picogc_put(body):',
  '    seq = _picogc_n[0]',
  '    if seq < len(_picogc_out):',
  '        _picogc_out[seq] = body',
  '    else:',
  '        _picogc_out.append(body)',
  '    _picogc_n[0] += 1',
  `    for p in range((len(body) + ${PART - 1}) // ${PART} or 1):`,
  '        _picogc_part(seq, body, p)',
  'def _picogc_again(seq, p):',
  '    _picogc_part(seq, _picogc_out[seq], p)',
  '',
]
  .join('\n')
  // One space a level: the stub crosses the link whole at every install, the shorter the likelier.
  .replace(/^(?: {4})+/gm, (indent) => ' '.repeat(indent.length / 4));

/**
 * The names MicroPython's lexer would intern from `call` with one bit of one byte flipped, or one
 * byte lost: identifiers (a byte from 0x80 starts or continues one) and the call's own names.
 */
export function damagedCallNames(call: string): string[] {
  const bytes = Buffer.from(call, 'latin1');
  const variants: Buffer[] = [];
  for (let at = 0; at < bytes.length; at++) {
    variants.push(Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]));
    for (let bit = 0; bit < 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[at] = bytes[at]! ^ (1 << bit);
      variants.push(flipped);
    }
  }
  const names = new Set<string>();
  for (const variant of variants)
    for (const m of variant.toString('latin1').matchAll(/[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*/g))
      names.add(m[0]);
  names.delete(READER);
  return [...names].sort();
}

/** The surface's trigger words as `(word, module, prefix)` tuples. */
function surfaceWords(): string {
  return SURFACE_MODULES.flatMap(({ module, words, prefixes = [] }) => [
    ...words.map((word) => `(b'${word}', '${module}', 0)`),
    ...prefixes.map((word) => `(b'${word}', '${module}', 1)`),
  ]).join(', ');
}

/**
 * The stub's installer and the stub it reads from stdin, checked on the device before it is run: a
 * damaged stub would otherwise fail later, inside a step, as if the step had raised. The installer
 * is what the REPL compiles; a damaged one is never tried again in the same interpreter.
 */
export function stubInstall(): { code: string; stdin: Buffer } {
  const source = Buffer.from(STUB_SOURCE, 'latin1');
  // Read as lines up to the trailer's: bytes lost on the way make a shorter stub (refused by its
  // CRC), not a read that waits for them. Every byte of the installer itself matters (no optional
  // space, no text on a branch not taken): a byte lost where it did not (a space after a comma, a
  // letter of a refusal never printed) installed the stub all the same from a different source.
  // That source stays in the REPL's line buffer, which every collection scans: on the virtual Pico
  // (and on any raw REPL without raw paste), one space fewer moved every later pause by −0.29 µs.
  const code = [
    'import sys,binascii',
    `print('${READY}')`,
    "_picogc_s=[b'']",
    // (On one line: a line end lost after the colon would leave a one-line loop, the same loop.)
    `while _picogc_s[-1]!=${bytesLiteral(TRAILER)}:_picogc_s.append(sys.stdin.buffer.readline())`,
    "_picogc_s=b''.join(_picogc_s[:-1])",
    `_picogc_c=binascii.crc32(_picogc_s)==${crc32(source)}`,
    'if _picogc_c:exec(_picogc_s)',
    // The verdict is the VM's own text (True, False), not a literal a lost byte could change.
    'print(_picogc_c)',
    'del _picogc_s,_picogc_c',
  ].join('\n');
  return { code, stdin: Buffer.concat([source, TRAILER]) };
}

/**
 * The installer's answer is its ready line and its verdict on the stub's CRC, whole. A ready line
 * that came damaged may be an installer damaged on its way in (the line is its own text) that ran
 * all the same: the stub is installed again, after a reboot.
 */
export function stubInstalled(stdout: string): boolean {
  return stdout === `${READY}\r\nTrue\r\n`;
}

/**
 * A checked exec's output ends with the stub's end marker, or with its refusal of a damaged upload
 * (it prints that and returns): the frame closes right after either.
 */
export const OUTPUT_END = /@picogc(?:\. \d+ \d+|! \d+ \d+|! head)\r\n$/;

/** The count in an end marker (`@picogc. N N`), NaN unless both copies arrived and agree. */
function countIn(marker: string): number {
  const m = /^@picogc\. (\d+) (\d+)$/.exec(marker);
  return m && m[1] === m[2] ? Number(m[1]) : Number.NaN;
}

/** The frame `CHECKED_CALL` reads: `code` with its length and CRC, `again` keeping the last step's lines. */
export function checkedFrame(code: string, again = false): Buffer {
  const source = Buffer.from(code, 'utf8');
  if (source.includes(TRAILER)) {
    throw new InputError('the code contains seven \\x1e bytes and a line end: the frame trailer');
  }
  const flag = String.fromCharCode(again ? AGAIN.yes : AGAIN.no);
  const head = `${width10(source.length)} ${width10(source.length)} ${flag} ${width10(crc32(source))}\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), source, TRAILER]);
}

function width10(n: number): string {
  return String(n).padStart(10, '0');
}

/** Ask the stub for part `part` of data line `seq` of the last step again (the step does not run again). */
export function againFrame(seq: number, part: number): Buffer {
  return checkedFrame(`_picogc_again(${seq}, ${part})`, true);
}

/** A Python bytes literal of `data`: printable ASCII as it is, everything else escaped. */
export function bytesLiteral(data: Uint8Array): string {
  let out = "b'";
  for (const byte of data) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/** The code inside a frame (what the host wrote after `CHECKED_CALL`), or undefined if it is none. */
export function framedSource(frame: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(frame);
  const eol = bytes.indexOf(0x0a);
  const m = /^(\d{10}) \1 [03] \d{10}$/.exec(bytes.subarray(0, Math.max(eol, 0)).toString('latin1'));
  if (!m) return undefined;
  return bytes.subarray(eol + 1, eol + 1 + Number(m[1]));
}

/**
 * What the stub said after the code: its answer without the line it printed before reading the
 * frame (that line damaged or not; its line end lost, the marker is cut from the start marker).
 */
function answerOf(stdout: string): string {
  if (stdout.startsWith(STARTED)) return stdout;
  const started = stdout.indexOf(STARTED);
  const eol = stdout.indexOf('\n');
  if (started >= 0 && (eol < 0 || started < eol)) return stdout.slice(started);
  return eol < 0 ? stdout : stdout.slice(eol + 1);
}

/** One line of a checked answer, in the order it came. */
type Piece =
  | { kind: 'log'; text: string }
  | { kind: 'part'; seq: number; part: number; parts: number; text: string }
  | { kind: 'lost' };

/** A part of a data line, by `seq` and part number. */
type Key = `${number}.${number}`;

/** A whole end marker but damaged data lines: what arrived, and the parts to ask for again. */
export interface Gaps {
  pieces: Piece[];
  /** How many data lines the step printed. */
  lines: number;
  /** Parts that arrived whole, and how many parts each line has where one of them arrived. */
  found: Map<Key, string>;
  parts: Map<number, number>;
  /** Output after the last line break, before the end marker. */
  tail: string;
}

/** What one checked exec came back as. */
export type CheckedOutcome =
  /** The script ran and its output arrived whole: stdout with the markers removed, data lines as `@picogc {json}`. */
  | { kind: 'ok'; stdout: string }
  /**
   * The upload was damaged (the stub refused it, or the call itself failed before the script
   * started), or the protocol around it was: then the code may have run (`mayHaveRun`).
   */
  | { kind: 'resend'; why: string; mayHaveRun?: boolean }
  /** The script ran but its output was damaged on the way; with `gaps`, the lost parts can be asked for again. */
  | { kind: 'damaged'; why: string; gaps?: Gaps }
  /** The script itself raised: the firmware's answer, with stdout cleaned as for `ok`. */
  | { kind: 'raised'; error: DeviceException };

/**
 * Read a checked exec's answer: its stdout, and the exception it raised if any. An exception before
 * the stub's start marker is the link's (the call arrived damaged), not the script's.
 */
export function readChecked(stdout: string, raised?: DeviceException): CheckedOutcome {
  const lines = answerOf(stdout).split(/\r?\n/);
  if (lines[0]?.startsWith(BAD_UPLOAD))
    return { kind: 'resend', why: `the stub refused the upload (${lines[0]})` };
  // The stub's end marker comes only after the script ran: with it, a damaged first line was the
  // start marker, and running the step again would do twice what it did once.
  if (lines[0] !== STARTED && !(raised === undefined && endsWithEndMarker(lines))) {
    return raised
      ? {
          kind: 'resend',
          why: `the call failed before the script started (${raised.type}: ${raised.detail})`,
        }
      : { kind: 'damaged', why: 'no start marker in the output' };
  }
  const body = lines.slice(1);
  if (raised) {
    // The text after the last line break (empty when the output ended its line) is not a line.
    const rest = body.pop() ?? '';
    const pieces = piecesOf(body);
    return {
      kind: 'raised',
      error: new DeviceException(
        raised.type,
        raised.detail,
        withoutStubFrames(raised.traceback),
        render(pieces, collect(pieces).found) + rest,
      ),
    };
  }
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  // The stub prints its end marker right after the script's output, which may not end its line.
  const last = body.pop() ?? '';
  const at = last.lastIndexOf(`${ENDED} `);
  const announced = at < 0 ? Number.NaN : countIn(last.slice(at));
  if (!Number.isInteger(announced)) {
    // The script ran to its end (no exception), but the stub's count was damaged on the way: the
    // device is asked for it (`countFrame`), then for whatever else is missing.
    const pieces = piecesOf(body);
    return {
      kind: 'damaged',
      why: 'no end marker in the output',
      gaps: { pieces, lines: UNKNOWN_LINES, ...collect(pieces), tail: '' },
    };
  }
  const pieces = piecesOf(body);
  let tail = last.slice(0, at);
  // A data line whose line end was damaged ran into the end marker: a part to ask for, not text.
  if (tail.startsWith(DATA_MARK)) {
    pieces.push(...piecesOf([tail]));
    tail = '';
  }
  const gaps: Gaps = { pieces, lines: announced, ...collect(pieces), tail };
  const missing = missingParts(gaps);
  if (missing.length === 0) return { kind: 'ok', stdout: completed(gaps) };
  return {
    kind: 'damaged',
    why: `${missing.length} part${missing.length > 1 ? 's' : ''} of ${announced} data line${announced === 1 ? '' : 's'} arrived damaged or not at all`,
    gaps,
  };
}

/** `Gaps.lines` while the step's end marker, which says how many lines it printed, is missing. */
export const UNKNOWN_LINES = -1;

function endsWithEndMarker(lines: readonly string[]): boolean {
  const last = [...lines].reverse().find((line) => line !== '');
  return last !== undefined && /@picogc\. (\d+) \1$/.test(last);
}

/**
 * Ask the stub how many data lines the last step printed: an empty checked exec that keeps them
 * (`again`) answers with the end marker and the count unchanged.
 */
export function countFrame(): Buffer {
  return checkedFrame('', true);
}

/** The count in the answer to `countFrame()`, or undefined if that answer arrived damaged too. */
export function countFrom(stdout: string): number | undefined {
  const m = /^@picogc\+\r?\n(@picogc\. \d+ \d+)\r?\n$/.exec(answerOf(stdout));
  const count = m ? countIn(m[1]!) : Number.NaN;
  return Number.isInteger(count) ? count : undefined;
}

/** The parts still to ask for: a line none of whose parts arrived is asked for from its first. */
export function missingParts(gaps: Gaps): { seq: number; part: number }[] {
  const out: { seq: number; part: number }[] = [];
  for (let seq = 0; seq < gaps.lines; seq++) {
    const parts = gaps.parts.get(seq);
    if (parts === undefined) out.push({ seq, part: 0 });
    else
      for (let part = 0; part < parts; part++) if (!gaps.found.has(`${seq}.${part}`)) out.push({ seq, part });
  }
  return out;
}

/** The answer to `againCall(seq, part)`, added to `gaps` if it arrived whole this time. */
export function takeAgain(gaps: Gaps, stdout: string, seq: number, part: number): boolean {
  const lines = answerOf(stdout).split(/\r?\n/);
  if (lines[0] !== STARTED) return false;
  const piece = piecesOf(lines.slice(1, 2))[0];
  if (piece?.kind !== 'part' || piece.seq !== seq || piece.part !== part) return false;
  gaps.found.set(`${seq}.${part}`, piece.text);
  gaps.parts.set(seq, piece.parts);
  return true;
}

/** A data line part's CRC-32: its number (`seq.part/parts`), then its text. */
export function partCrc(number: string, text: string): number {
  return crc32(Buffer.from(text, 'utf8'), crc32(Buffer.from(number, 'latin1')));
}

/** The answer put together: the lines as they came, each data line whole where its first part was. */
export function completed(gaps: Gaps): string {
  return render(gaps.pieces, gaps.found, gaps.lines) + gaps.tail;
}

/** The traceback as the script would have raised it alone: the stub's own frames left out. */
function withoutStubFrames(traceback: string): string {
  return traceback
    .split('\n')
    .filter((line) => !/^ {2}File "<stdin>", line \d+, in (<module>|_picogc_x|_P)$/.test(line))
    .join('\n')
    .replaceAll('File "<string>"', 'File "<stdin>"');
}

/** Each line: log text, a part of a data line whose number and CRC hold, or one that did not. */
function piecesOf(lines: readonly string[]): Piece[] {
  return lines.map((line) => {
    if (!line.startsWith(DATA_MARK)) return { kind: 'log', text: line };
    const m = /^(\d+)\.(\d+)\/(\d+) ([0-9a-f]{8}) (.*)$/.exec(line.slice(DATA_MARK.length));
    if (!m || partCrc(`${m[1]}.${m[2]}/${m[3]}`, m[5]!) !== parseInt(m[4]!, 16)) return { kind: 'lost' };
    return { kind: 'part', seq: Number(m[1]), part: Number(m[2]), parts: Number(m[3]), text: m[5]! };
  });
}

function collect(pieces: readonly Piece[]): { found: Map<Key, string>; parts: Map<number, number> } {
  const found = new Map<Key, string>();
  const parts = new Map<number, number>();
  for (const piece of pieces) {
    if (piece.kind !== 'part') continue;
    found.set(`${piece.seq}.${piece.part}`, piece.text);
    parts.set(piece.seq, piece.parts);
  }
  return { found, parts };
}

/**
 * The output as the script printed it: log lines as they came, each data line back to
 * `@picogc {json}` (its parts joined) in sequence order, where its parts were or, for a line none of
 * whose parts arrived, before the next line that did.
 */
function render(pieces: readonly Piece[], found: Map<Key, string>, lines = 0): string {
  const whole = (seq: number) => {
    let text = '';
    for (let part = 0; found.has(`${seq}.${part}`); part++) text += found.get(`${seq}.${part}`);
    return `${DATA_MARK}${text}`;
  };
  const out: string[] = [];
  let next = 0;
  for (const piece of pieces) {
    if (piece.kind === 'log') out.push(piece.text);
    else if (piece.kind === 'part') {
      for (; next <= piece.seq; next++) out.push(whole(next));
    }
  }
  for (; next < lines; next++) out.push(whole(next));
  return out.map((line) => `${line}\r\n`).join('');
}

/**
 * For output shown as it arrives (`picogc exec`): whole lines, the stub's markers left out, data
 * lines without their sequence number and CRC. What a damaged line says is shown as it came.
 */
export function streamedLines(sink: (text: string) => void): (text: string) => void {
  return everyLine((line) => {
    if ([READY, STARTED, ENDED, BAD_UPLOAD].some((marker) => line.startsWith(marker))) return;
    const data = /^@picogc \d+\.\d+\/\d+ [0-9a-f]{8} (.*)$/s.exec(line);
    sink(`${data ? `${DATA_MARK}${data[1]}` : line}\n`);
  });
}

/** Output that arrives in pieces, as each whole line of it arrives (without its `\n`). */
export function everyLine(sink: (line: string) => void): (text: string) => void {
  let pending = '';
  return (text) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) sink(line);
  };
}

/**
 * Output passed on as it arrives but for the line the stub prints before it reads the frame (the
 * caller parses the rest itself, `rawStdout`).
 */
export function afterReadyLine(sink: (text: string) => void): (text: string) => void {
  let ready = false;
  let pending = '';
  return (text) => {
    if (ready) return sink(text);
    pending += text;
    const eol = pending.indexOf('\n');
    if (eol < 0) return;
    ready = true;
    if (pending.length > eol + 1) sink(pending.slice(eol + 1));
  };
}

/** The first line of code that says what it does, for a message. */
export function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** How often one exec is tried before a faulty link is given up on, at the least. */
export const CHECKED_ATTEMPTS = 12;
/**
 * The link a run should get through: one byte in this many damaged (`--fault corrupt:0.001`, a bad
 * cable). Tries are counted so that an upload fails on such a link at most once in `GIVE_UP_ODDS`.
 */
const BYTES_PER_FAULT = 1000;
const GIVE_UP_ODDS = 1_000_000;

/**
 * Tries for an upload of `bytes`, whatever its last try met (refused on the way in, or its short
 * answer damaged on the way out). A long upload crosses a noisy link whole exponentially less often
 * (2.6 KB at one damaged byte in 1000: one try in 14), so its tries grow with it: 12 for a short
 * exec, 27 for 0.9 KB, 49 for 1.4 KB, 185 for the stub and its installer (2.6 KB).
 */
export function triesFor(bytes: number): number {
  const whole = Math.exp(-bytes / BYTES_PER_FAULT);
  return Math.max(CHECKED_ATTEMPTS, Math.ceil(Math.log(1 / GIVE_UP_ODDS) / Math.log(1 - whole)));
}

/** Tries for one checked exec of `code`: its whole frame (header, code, trailer) crosses the link. */
export function triesForCode(code: string): number {
  return triesFor(checkedFrame(code).length);
}

/** What one try at installing the stub sends: the installer and the stub it reads. */
export const STUB_INSTALL_BYTES = ((install) => Buffer.byteLength(install.code) + install.stdin.length)(
  stubInstall(),
);
