import { crc32 } from 'node:zlib';
import { DeviceException } from '../errors.ts';
import { DATA_MARK } from './data-lines.ts';

/**
 * Checked execution (issue 16): every exec the host sends goes through a small resident stub that
 * compiles it only if its CRC-32 matches, and every data line carries its sequence number and a
 * CRC-32 of its JSON. A corrupted upload is answered `@picogc! …` and resent, never compiled, so it
 * never surfaces as the firmware's SyntaxError; a damaged or missing data line makes the step run
 * again. Marker lines differ from data lines (`@picogc ` + space) in the byte after the mark.
 */

/** Characters in one part of a data line. */
const PART = 192;
/** Data lines of one step the stub keeps without growing its list (alloc-sizes emits 21). */
const OUT_SLOTS = 128;

/** Defined once per VM (again after every soft reset): the stub and the data-line counter. */
export const STUB_SOURCE = [
  'import binascii',
  '_picogc_n = [0]',
  // The step's data lines, kept to be asked for again, in a list made once with room for them:
  // an item array grown while the heap was full would stay high in the heap for good (a list only
  // shrinks in place), and every later collection would sweep up to it (v1.22+ sweeps to the last
  // used block). A new list each step would land wherever the step's garbage left room.
  `_picogc_out = [None] * ${OUT_SLOTS}`,
  'def _picogc_x(src, crc, again=0):',
  '    if binascii.crc32(src) != crc:',
  "        print('@picogc! %d %d' % (len(src), binascii.crc32(src)))",
  '        return',
  "    print('@picogc+')",
  '    if not again:',
  '        for i in range(_picogc_n[0]):',
  '            _picogc_out[i] = None',
  '        _picogc_n[0] = 0',
  '    exec(src, globals())',
  "    print('@picogc. %d' % _picogc_n[0])",
  // A data line goes out in parts of PART characters, each with its CRC: on a noisy link a short
  // part arrives whole far more often than a long line would.
  'def _picogc_part(seq, body, p):',
  `    c = body[p * ${PART} : (p + 1) * ${PART}]`,
  `    print('@picogc %d.%d/%d %08x %s' % (seq, p, (len(body) + ${PART - 1}) // ${PART} or 1, binascii.crc32(c.encode()), c))`,
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
].join('\n');

const BAD_UPLOAD = '@picogc!';
const STARTED = '@picogc+';
const ENDED = '@picogc.';

/**
 * The stub's own upload, checked on the device before it is run: a damaged stub would otherwise
 * fail later, inside a step, as if the step had raised.
 */
export function stubInstall(): string {
  const source = Buffer.from(STUB_SOURCE, 'utf8');
  return [
    'import binascii',
    `_picogc_s = ${bytesLiteral(source)}`,
    `exec(_picogc_s) if binascii.crc32(_picogc_s) == ${crc32(source)} else print('${BAD_UPLOAD} stub')`,
    'del _picogc_s',
  ].join('\n');
}

/**
 * A checked exec's output ends with the stub's end marker, or with its refusal of a damaged upload
 * (it prints that and returns): the frame closes right after either.
 */
export const OUTPUT_END = /@picogc(?:\. \d+|! \d+ \d+|! stub)\r\n$/;

/** The exec the host sends for `code`: the stub called with the code as a bytes literal and its CRC. */
export function checkedCall(code: string): string {
  const source = Buffer.from(code, 'utf8');
  return `_picogc_x(${bytesLiteral(source)}, ${crc32(source)})`;
}

/** Ask the stub for part `part` of data line `seq` of the last step again (the step does not run again). */
export function againCall(seq: number, part: number): string {
  const source = Buffer.from(`_picogc_again(${seq}, ${part})`, 'utf8');
  return `_picogc_x(${bytesLiteral(source)}, ${crc32(source)}, 1)`;
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

/** The code inside a checked call, or undefined for anything else: the inverse of `checkedCall`. */
export function uncheckedSource(call: Uint8Array): Buffer | undefined {
  const text = Buffer.from(call).toString('latin1');
  const m = /^_picogc_x\(b'((?:[^'\\]|\\.)*)', \d+(?:, 1)?\)$/s.exec(text);
  if (!m) return undefined;
  const escapes: Record<string, number> = { n: 0x0a, t: 0x09, '\\': 0x5c, "'": 0x27 };
  const bytes: number[] = [];
  const body = m[1]!;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') bytes.push(body.charCodeAt(i));
    else if (body[i + 1] === 'x') {
      bytes.push(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(escapes[body[++i]!] ?? body.charCodeAt(i));
  }
  return Buffer.from(bytes);
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
  /** The upload was damaged (the stub refused it, or the call itself failed before the script started). */
  | { kind: 'resend'; why: string }
  /** The script ran but its output was damaged on the way; with `gaps`, the lost parts can be asked for again. */
  | { kind: 'damaged'; why: string; gaps?: Gaps }
  /** The script itself raised: the firmware's answer, with stdout cleaned as for `ok`. */
  | { kind: 'raised'; error: DeviceException };

/**
 * Read a checked exec's answer: its stdout, and the exception it raised if any. An exception before
 * the stub's start marker is the link's (the call arrived damaged), not the script's.
 */
export function readChecked(stdout: string, raised?: DeviceException): CheckedOutcome {
  const lines = stdout.split(/\r?\n/);
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
  const announced = at < 0 ? Number.NaN : Number(last.slice(at + ENDED.length + 1));
  if (!Number.isInteger(announced)) {
    // The script ran to its end (no exception), but the stub's count was damaged on the way: the
    // device is asked for it (`countCall`), then for whatever else is missing.
    const pieces = piecesOf(body);
    return {
      kind: 'damaged',
      why: 'no end marker in the output',
      gaps: { pieces, lines: UNKNOWN_LINES, ...collect(pieces), tail: '' },
    };
  }
  const pieces = piecesOf(body);
  const gaps: Gaps = { pieces, lines: announced, ...collect(pieces), tail: last.slice(0, at) };
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
  return last !== undefined && /@picogc\. \d+$/.test(last);
}

/**
 * Ask the stub how many data lines the last step printed: an empty checked call that keeps them
 * (`again`) answers with the end marker and the count unchanged.
 */
export function countCall(): string {
  return `_picogc_x(b'', 0, 1)`;
}

/** The count in the answer to `countCall()`, or undefined if that answer arrived damaged too. */
export function countFrom(stdout: string): number | undefined {
  const m = /^@picogc\+\r?\n@picogc\. (\d+)\r?\n$/.exec(stdout);
  return m ? Number(m[1]) : undefined;
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
  const lines = stdout.split(/\r?\n/);
  if (lines[0] !== STARTED) return false;
  const piece = piecesOf(lines.slice(1, 2))[0];
  if (piece?.kind !== 'part' || piece.seq !== seq || piece.part !== part) return false;
  gaps.found.set(`${seq}.${part}`, piece.text);
  gaps.parts.set(seq, piece.parts);
  return true;
}

/** The answer put together: the lines as they came, each data line whole where its first part was. */
export function completed(gaps: Gaps): string {
  return render(gaps.pieces, gaps.found, gaps.lines) + gaps.tail;
}

/** The traceback as the script would have raised it alone: the stub's own frames left out. */
function withoutStubFrames(traceback: string): string {
  return traceback
    .split('\n')
    .filter((line) => !/^ {2}File "<stdin>", line \d+, in (<module>|_picogc_x)$/.test(line))
    .join('\n')
    .replaceAll('File "<string>"', 'File "<stdin>"');
}

/** Each line: log text, a part of a data line whose number and CRC hold, or one that did not. */
function piecesOf(lines: readonly string[]): Piece[] {
  return lines.map((line) => {
    if (!line.startsWith(DATA_MARK)) return { kind: 'log', text: line };
    const m = /^(\d+)\.(\d+)\/(\d+) ([0-9a-f]{8}) (.*)$/.exec(line.slice(DATA_MARK.length));
    if (!m || crc32(Buffer.from(m[5]!, 'utf8')) !== parseInt(m[4]!, 16)) return { kind: 'lost' };
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
  let pending = '';
  return (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(STARTED) || line.startsWith(ENDED) || line.startsWith(BAD_UPLOAD)) continue;
      const data = /^@picogc \d+\.\d+\/\d+ [0-9a-f]{8} (.*)$/s.exec(line);
      sink(`${data ? `${DATA_MARK}${data[1]}` : line}\n`);
    }
  };
}

/** The first line of code that says what it does, for a message. */
export function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** How often one exec is tried before a faulty link is given up on. */
export const CHECKED_ATTEMPTS = 12;
/**
 * A long upload crosses a noisy link whole less often (at one damaged byte in 1000, a 2.4 KB script
 * arrives whole one time in 11): each this many bytes earn it one more try, while the device keeps
 * answering that the upload arrived damaged.
 */
const BYTES_PER_EXTRA_TRY = 50;

/**
 * Tries for one exec: more for a long upload, which crosses a noisy link whole less often, whatever
 * its last try met (refused on the way in, or its short answer damaged on the way out).
 */
export function triesFor(code: string): number {
  return CHECKED_ATTEMPTS + Math.ceil(Buffer.byteLength(code) / BYTES_PER_EXTRA_TRY);
}
