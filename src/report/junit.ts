import { InputError } from '../errors.ts';

/**
 * JUnit XML, the format every CI server reads (Jenkins, GitLab, GitHub test reporters): one
 * <testcase> per check. Written by hand: the format is small and the one hard part, text from a
 * device, is handled here explicitly.
 *
 * Raw-REPL output carries control bytes (\x04 ends a frame, \x01 enters raw mode) that XML 1.0
 * forbids even as character references. Like pytest's junitxml (`bin_xml_escape`), each forbidden
 * code point is written as the visible text `#xNN` (`#xNNNN` above U+00FF) before the usual
 * escaping of & < > " '. Lone surrogates are forbidden too and get the same treatment; valid
 * astral characters (emoji) pass through as UTF-8.
 */

export type JUnitStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface JUnitTestCase {
  name: string;
  /** Dotted group name CI servers show as the "class", e.g. "picogc.pause-vs-live". */
  classname: string;
  /** Seconds. */
  time?: number;
  status: JUnitStatus;
  /** Short text: failure/error message or skip reason. */
  message?: string;
  /** Failure/error type attribute, e.g. "CheckFailed", "DeviceException". */
  type?: string;
  /** Long text inside <failure>/<error>: measured vs expected, traceback... */
  details?: string;
  systemOut?: string;
  systemErr?: string;
}

export interface JUnitTestSuite {
  name: string;
  cases: readonly JUnitTestCase[];
  /** ISO 8601 without a zone suffix is what the Ant schema types as xs:dateTime; a Date is converted. */
  timestamp?: Date | string;
  hostname?: string;
  /** Seconds; defaults to the sum of the cases' times. */
  time?: number;
  /** Name/value pairs, e.g. firmware version, board id, picogc version. */
  properties?: readonly (readonly [string, string])[];
  systemOut?: string;
  systemErr?: string;
}

/** Replace what XML 1.0 cannot carry (pytest-style `#xNN`), then escape markup. */
export function xmlText(text: string): string {
  return escapeMarkup(replaceIllegal(text));
}

/** As xmlText, and also keep tab / newline / carriage return literal through attribute normalisation. */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. Like pytest,
// DEL (#x7F) is replaced as well: it is legal XML but invisible and means nothing in a report.
const ILLEGAL = /[^\t\n\r\u0020-\u007e\u0080-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function replaceIllegal(text: string): string {
  return text.replace(ILLEGAL, (ch) => {
    const code = ch.codePointAt(0) as number;
    return code <= 0xff
      ? `#x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `#x${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function writeJUnit(suites: readonly JUnitTestSuite[], name = 'picogc'): string {
  const all = suites.flatMap((s) => s.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // No `skipped` here: Jenkins' junit-10 schema allows it on <testsuite> only.
    `<testsuites name="${xmlAttribute(name)}" tests="${all.length}" failures="${countOf(all, 'failed')}" errors="${countOf(all, 'error')}" time="${seconds(sum(all))}">`,
  ];
  suites.forEach((suite, id) => lines.push(...suiteXml(suite, id)));
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function suiteXml(suite: JUnitTestSuite, id: number): string[] {
  const attrs = [
    `name="${xmlAttribute(suite.name)}"`,
    `tests="${suite.cases.length}"`,
    `failures="${countOf(suite.cases, 'failed')}"`,
    `errors="${countOf(suite.cases, 'error')}"`,
    `skipped="${countOf(suite.cases, 'skipped')}"`,
    `time="${seconds(suite.time ?? sum(suite.cases))}"`,
    `id="${id}"`,
  ];
  if (suite.timestamp !== undefined) attrs.push(`timestamp="${xmlAttribute(timestamp(suite.timestamp))}"`);
  if (suite.hostname !== undefined) attrs.push(`hostname="${xmlAttribute(suite.hostname)}"`);
  const out = [`  <testsuite ${attrs.join(' ')}>`];
  if (suite.properties && suite.properties.length > 0) {
    out.push('    <properties>');
    for (const [k, v] of suite.properties) {
      out.push(`      <property name="${xmlAttribute(k)}" value="${xmlAttribute(v)}"/>`);
    }
    out.push('    </properties>');
  }
  for (const c of suite.cases) out.push(...caseXml(c));
  if (suite.systemOut !== undefined) out.push(`    <system-out>${xmlText(suite.systemOut)}</system-out>`);
  if (suite.systemErr !== undefined) out.push(`    <system-err>${xmlText(suite.systemErr)}</system-err>`);
  out.push('  </testsuite>');
  return out;
}

function caseXml(c: JUnitTestCase): string[] {
  const attrs = `name="${xmlAttribute(c.name)}" classname="${xmlAttribute(c.classname)}" time="${seconds(c.time ?? 0)}"`;
  const body: string[] = [];
  const message = c.message !== undefined ? ` message="${xmlAttribute(c.message)}"` : '';
  const type = c.type !== undefined ? ` type="${xmlAttribute(c.type)}"` : '';
  switch (c.status) {
    case 'passed':
      break;
    case 'skipped':
      body.push(`      <skipped${message}/>`);
      break;
    case 'failed':
    case 'error': {
      const tag = c.status === 'failed' ? 'failure' : 'error';
      body.push(`      <${tag}${message}${type}>${xmlText(c.details ?? '')}</${tag}>`);
      break;
    }
    default:
      throw new InputError(`unknown JUnit status: ${String(c.status)}`);
  }
  if (c.systemOut !== undefined) body.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
  if (c.systemErr !== undefined) body.push(`      <system-err>${xmlText(c.systemErr)}</system-err>`);
  return body.length === 0
    ? [`    <testcase ${attrs}/>`]
    : [`    <testcase ${attrs}>`, ...body, '    </testcase>'];
}

function countOf(cases: readonly JUnitTestCase[], status: JUnitStatus): number {
  return cases.filter((c) => c.status === status).length;
}

function sum(cases: readonly JUnitTestCase[]): number {
  return cases.reduce((acc, c) => acc + (c.time ?? 0), 0);
}

function seconds(t: number): string {
  if (!(Number.isFinite(t) && t >= 0))
    throw new InputError(`JUnit time must be a finite number of seconds ≥ 0, got ${t}`);
  return t.toFixed(3);
}

/** xs:dateTime as the Ant schema restricts it: no zone designator. */
function timestamp(t: Date | string): string {
  const iso = t instanceof Date ? t.toISOString() : t;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso);
  if (!m) throw new InputError(`JUnit timestamp is not ISO 8601: ${JSON.stringify(iso)}`);
  return m[1] as string;
}
