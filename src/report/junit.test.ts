import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { writeJUnit, xmlAttribute, xmlText, type JUnitTestSuite } from './junit.ts';
import { XMLLINT, titled, toolStatus } from '../../test/support/system-tools.ts';

const XSD = fileURLToPath(new URL('../../test/support/junit.xsd', import.meta.url));
// Skipped with the reason when Debian's libxml2-utils is missing; in CI its absence is a failure.
const xmllint = toolStatus(XMLLINT);
const dir = mkdtempSync(join(tmpdir(), 'picogc-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** xmllint's verdict on a document against the JUnit schema: exit status and its message. */
function validate(xml: string): { ok: boolean; output: string } {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml, 'utf8');
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

// What a raw-REPL session really prints around a failing exec: frame bytes \x04, raw-mode \x01,
// markup, a CDATA terminator, an emoji outside the BMP, and DEL.
const NASTY = 'OK\x04Traceback: <img src=x onerror=alert(1)> & "q" \'s\' ]]> 🐍 \x01\x7f end';

const suites: JUnitTestSuite[] = [
  {
    name: 'picogc rp2 e6614103e7 <board>',
    timestamp: new Date('2026-05-01T02:03:04.567Z'),
    hostname: 'bench-1',
    properties: [
      ['firmware', 'MicroPython v1.28.0 on 2026-04-06; Raspberry Pi Pico with RP2040'],
      ['note', 'line1\nline2\ttab\x04'],
    ],
    cases: [
      { name: 'float is one block', classname: 'picogc.alloc-sizes', time: 0.012, status: 'passed' },
      {
        name: 'pause fits the model (R² ≥ 0.95)',
        classname: 'picogc.pause-vs-live',
        time: 1.5,
        status: 'failed',
        message: NASTY,
        type: 'CheckFailed',
        details: `measured 0.91 < 0.95\n${NASTY}`,
        systemOut: NASTY,
      },
      {
        name: 'mark overflow step',
        classname: 'picogc.mark-overflow',
        status: 'skipped',
        message: 'virtual Pico: ticks_us has 1 ms resolution',
      },
      {
        name: 'device answered',
        classname: 'picogc.link',
        status: 'error',
        message: 'timed out',
        type: 'TimeoutError',
        details: 'last bytes: raw REPL; CTRL-B to exit\r\n>\x04',
        systemErr: '\x01\x02\x03',
      },
    ],
  },
  { name: 'empty board', cases: [] },
];

describe('writeJUnit', () => {
  it.skipIf(!xmllint.available)(titled('validates against the JUnit schema with xmllint', xmllint), () => {
    const xml = writeJUnit(suites);
    const r = validate(xml);
    expect(r.output).toContain('validates');
    expect(r.ok).toBe(true);
  });

  it.skipIf(!xmllint.available)(
    titled('the schema really rejects malformed JUnit (the validation has teeth)', xmllint),
    () => {
      const xml = writeJUnit(suites);
      expect(validate(xml.replace('<testsuite ', '<testsuite bogus="1" ')).ok).toBe(false);
      expect(validate(xml.replace('tests="4"', 'tests="four"')).ok).toBe(false);
      // A raw control byte is not even well-formed XML: what an unescaped writer would produce.
      expect(validate(xml.replace('#x04', '\x04')).ok).toBe(false);
    },
  );

  it.skipIf(!xmllint.available)(
    titled('round-trips device text: xmllint reads back exactly the visible escape', xmllint),
    () => {
      const xml = writeJUnit(suites);
      const file = join(dir, 'roundtrip.xml');
      writeFileSync(file, xml, 'utf8');
      const message = execFileSync('xmllint', ['--xpath', 'string(//failure/@message)', file], {
        encoding: 'utf8',
      });
      expect(message.replace(/\n$/, '')); // xmllint ends its output with a newline.toBe('OK#x04Traceback: <img src=x onerror=alert(1)> & "q" \'s\' ]]> 🐍 #x01#x7F end');
      const out = execFileSync('xmllint', ['--xpath', 'string(//testcase[2]/system-out)', file], {
        encoding: 'utf8',
      });
      expect(out).toContain('🐍');
    },
  );

  it('counts per suite and in total', () => {
    const xml = writeJUnit(suites, 'nightly');
    expect(xml).toMatch(/<testsuites name="nightly" tests="4" failures="1" errors="1" time="1\.512">/);
    expect(xml).toContain('tests="4" failures="1" errors="1" skipped="1" time="1.512" id="0"');
    expect(xml).toContain('timestamp="2026-05-01T02:03:04"');
    expect(xml).toContain(
      '<testsuite name="empty board" tests="0" failures="0" errors="0" skipped="0" time="0.000" id="1">',
    );
    expect(xml).toContain('<skipped message="virtual Pico: ticks_us has 1 ms resolution"/>');
  });

  it('never writes a raw control byte, a bare < or & from device text', () => {
    const xml = writeJUnit(suites);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain(']]>');
    expect(xml).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
  });

  it('escapes like pytest: #xNN for forbidden code points, lone surrogates too', () => {
    expect(xmlText('a\x04b\x1bc')).toBe('a#x04b#x1Bc');
    expect(xmlText('\ud800x')).toBe('#xD800x');
    expect(xmlText('\ufffe')).toBe('#xFFFE');
    expect(xmlText('😀 é')).toBe('😀 é');
    expect(xmlAttribute('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
  });

  it('rejects times and timestamps a CI server could not read', () => {
    const bad = (over: Partial<JUnitTestSuite>): string => writeJUnit([{ name: 's', cases: [], ...over }]);
    expect(() => bad({ time: Number.NaN })).toThrow(InputError);
    expect(() => bad({ timestamp: 'yesterday' })).toThrow(InputError);
    expect(() =>
      writeJUnit([{ name: 's', cases: [{ name: 'c', classname: 'k', status: 'passed', time: -1 }] }]),
    ).toThrow(InputError);
  });
});
