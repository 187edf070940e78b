import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { HISTORY_VERDICTS, type HistoryRecord } from './schema.ts';
import {
  appendHistoryRecord,
  formatHistoryLine,
  formatHistoryWarning,
  lastGoodRecord,
  parseHistory,
  readHistory,
} from './store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(n: number, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    schema: 'picogc.history/1',
    runId: `2026-04-0${(n % 9) + 1}T02:00:00Z-board-${n}`,
    at: new Date(Date.UTC(2026, 3, 1, 2, 0, n)).toISOString(),
    device: { id: 'e6614103e7452d2f', label: 'bench-1', firmware: 'v1.28.0' },
    metrics: {
      'pause-vs-live.pause@1000': { median: 1000 + n, low: 990 + n, high: 1010 + n, n: 7, unit: 'us' },
      'alloc-sizes.float': { median: 16, n: 3, unit: 'bytes' },
    },
    verdict: 'pass',
    reportDir: `reports/run-${n}`,
    ...overrides,
  };
}

describe('appendHistoryRecord / readHistory', () => {
  it('appends one line per record and reads them back in order', async () => {
    const path = join(dir, 'nested', 'history.jsonl');
    for (let n = 0; n < 3; n++) await appendHistoryRecord(path, record(n));
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(4); // three lines and the final newline
    expect(text).toBe([0, 1, 2].map((n) => formatHistoryLine(record(n))).join(''));
    expect(await readHistory(path)).toEqual({ records: [record(0), record(1), record(2)], warnings: [] });
  });

  it('reads a missing file as an empty history', async () => {
    expect(await readHistory(join(dir, 'none.jsonl'))).toEqual({ records: [], warnings: [] });
  });

  it('keeps every record when many appends race in one process', async () => {
    const path = join(dir, 'history.jsonl');
    await Promise.all(Array.from({ length: 40 }, (_, n) => appendHistoryRecord(path, record(n))));
    const { records, warnings } = await readHistory(path);
    expect(warnings).toEqual([]);
    expect(records.map((r) => r.runId).sort()).toEqual(
      Array.from({ length: 40 }, (_, n) => record(n).runId).sort(),
    );
  });

  it('refuses to write an invalid record, and writes nothing', async () => {
    const path = join(dir, 'history.jsonl');
    const bad = record(1, { metrics: { m: { median: 5, low: 6, n: 1, unit: 'us' } } });
    await expect(appendHistoryRecord(path, bad)).rejects.toThrow(InputError);
    await expect(appendHistoryRecord(path, record(1, { at: 'yesterday' }))).rejects.toThrow(/at: /);
    expect(await readHistory(path)).toEqual({ records: [], warnings: [] });
  });

  it('after a crash left half a line, the next append closes it: nothing earlier or later is lost', async () => {
    const path = join(dir, 'history.jsonl');
    await appendHistoryRecord(path, record(1));
    await appendFile(path, formatHistoryLine(record(2)).slice(0, 57)); // the crash
    const crashed = await readHistory(path);
    expect(crashed.records).toEqual([record(1)]);
    expect(crashed.warnings).toEqual([expect.objectContaining({ line: 2, reason: 'truncated-last-line' })]);

    await appendHistoryRecord(path, record(3));
    const { records, warnings } = await readHistory(path);
    expect(records).toEqual([record(1), record(3)]);
    expect(warnings).toEqual([expect.objectContaining({ line: 2, reason: 'invalid-json' })]);
  });

  it('every acknowledged append survives the writer being SIGKILLed mid-loop', async () => {
    const path = join(dir, 'history.jsonl');
    const fixture = fileURLToPath(new URL('./append-loop.fixture.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let acknowledged = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged = Number(/^appended (\d+)$/.exec(line)![1]);
      if (acknowledged >= 25) break;
    }
    child.kill('SIGKILL');
    await exited;
    const { records, warnings } = await readHistory(path);
    expect(warnings.length).toBeLessThanOrEqual(1);
    expect(records.length).toBeGreaterThanOrEqual(acknowledged);
    expect(records.slice(0, acknowledged).map((r) => r.runId)).toEqual(
      Array.from({ length: acknowledged }, (_, i) => `run-${i + 1}`),
    );
  });
});

describe('parseHistory: damaged lines are skipped with a named warning', () => {
  const good = (n: number) => formatHistoryLine(record(n));

  it('names each kind of damage with its line number and reads the rest', () => {
    const text = [
      good(1),
      '{"schema":"picogc.history/1","runId":"x"\n', // cut JSON, but terminated: a corrupted middle line
      '\n', // blank: ignored silently
      good(2),
      '[1,2,3]\n',
      good(3).replace('picogc.history/1', 'picogc.history/2'),
      good(4).replace('"verdict":"pass"', '"verdict":"maybe"'),
      good(5),
    ].join('');
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(good(6))]);
    const { records, warnings } = parseHistory(bytes);
    expect(records).toEqual([record(1), record(2), record(5), record(6)]);
    expect(warnings.map((w) => [w.line, w.reason])).toEqual([
      [2, 'invalid-json'],
      [5, 'not-a-record'],
      [6, 'unknown-schema'],
      [7, 'schema-mismatch'],
      [9, 'invalid-utf8'],
    ]);
    expect(warnings[2]!.message).toContain('"picogc.history/2"');
    expect(warnings[3]!.message).toContain('verdict');
    expect(formatHistoryWarning('h.jsonl', warnings[0]!)).toMatch(
      /^h\.jsonl:2: skipped \(invalid-json\): not JSON/,
    );
  });

  it('refuses a "__proto__" metric (it would vanish when read) on write and on read', () => {
    const line =
      '{"schema":"picogc.history/1","runId":"r","at":"2026-04-01T00:00:00Z","device":{"id":"d"},' +
      '"metrics":{"__proto__":{"median":1,"n":1,"unit":"us"}},"verdict":"pass"}\n';
    const { records, warnings } = parseHistory(good(1) + line);
    expect(records).toEqual([record(1)]);
    expect(warnings).toEqual([expect.objectContaining({ line: 2, reason: 'schema-mismatch' })]);
    expect(warnings[0]!.message).toContain('__proto__');
    const evil = JSON.parse(line) as HistoryRecord;
    expect(() => formatHistoryLine(evil)).toThrow(/__proto__/);
  });

  it('accepts a complete last line that lacks only its newline, and CRLF line ends', () => {
    expect(parseHistory(good(1) + good(2).trimEnd()).records).toEqual([record(1), record(2)]);
    expect(parseHistory(good(1).replace('\n', '\r\n') + good(2)).records).toEqual([record(1), record(2)]);
  });
});

describe('parseHistory fuzzed', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 12 });
  const finite = fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => (x === 0 ? 0 : x));
  const metric = fc
    .record({
      median: finite,
      below: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
      above: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
      n: fc.integer({ min: 1, max: 1000 }),
      unit: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    })
    .map(({ median, below, above, n, unit }) => ({
      median,
      ...(below === undefined ? {} : { low: median - below === 0 ? 0 : median - below }),
      ...(above === undefined ? {} : { high: median + above === 0 ? 0 : median + above }),
      n,
      unit,
    }));
  // "__proto__" is refused by the store (its own test above); fast-check proposes it on purpose.
  const metricName = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
    .filter((name) => name !== '__proto__');
  const historyRecord: fc.Arbitrary<HistoryRecord> = fc
    .record({
      runId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
      at: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
      label: fc.option(text, { nil: undefined }),
      metrics: fc.dictionary(metricName, metric, {
        maxKeys: 4,
      }),
      verdict: fc.constantFrom(...HISTORY_VERDICTS),
    })
    .map(({ runId, at, id, label, metrics, verdict }) => ({
      schema: 'picogc.history/1' as const,
      runId,
      at,
      device: label === undefined ? { id } : { id, label },
      metrics,
      verdict,
    }));
  const history = fc.array(historyRecord, { minLength: 1, maxLength: 8 });

  function serialise(records: readonly HistoryRecord[]): {
    bytes: Buffer;
    lines: { start: number; end: number }[];
  } {
    const lines: { start: number; end: number }[] = [];
    const parts: Buffer[] = [];
    let offset = 0;
    for (const r of records) {
      const line = Buffer.from(formatHistoryLine(r), 'utf8');
      lines.push({ start: offset, end: offset + line.length - 1 }); // `end` is the newline
      parts.push(line);
      offset += line.length;
    }
    return { bytes: Buffer.concat(parts), lines };
  }

  /** Each expected record, in order, must appear in `actual` (other records may sit between them). */
  function expectSubsequence(actual: readonly HistoryRecord[], expected: readonly HistoryRecord[]): void {
    let i = 0;
    for (const wanted of expected) {
      while (i < actual.length && JSON.stringify(actual[i]) !== JSON.stringify(wanted)) i++;
      expect(i, `record ${JSON.stringify(wanted)} was lost`).toBeLessThan(actual.length);
      i++;
    }
  }

  it('round-trips generated histories exactly', () => {
    fc.assert(
      fc.property(history, (records) => {
        expect(parseHistory(serialise(records).bytes)).toEqual({ records, warnings: [] });
      }),
    );
  });

  it('truncated at any byte: every complete line is read, at most one warning for the cut line', () => {
    fc.assert(
      fc.property(history, fc.nat(), (records, seed) => {
        const { bytes, lines } = serialise(records);
        const cut = seed % (bytes.length + 1);
        const result = parseHistory(bytes.subarray(0, cut));
        const complete = lines.filter((line) => line.end < cut).length;
        expect(result.records.slice(0, complete)).toEqual(records.slice(0, complete));
        const partial = lines[complete];
        if (!partial || cut === partial.start) {
          expect(result).toEqual({ records: records.slice(0, complete), warnings: [] });
        } else if (cut === partial.end) {
          expect(result).toEqual({ records: records.slice(0, complete + 1), warnings: [] }); // only "\n" missing
        } else {
          expect(result.records).toHaveLength(complete);
          expect(result.warnings).toEqual([
            expect.objectContaining({ line: complete + 1, reason: 'truncated-last-line' }),
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with flipped bytes: no throw, every untouched line read, every line accounted for', () => {
    fc.assert(
      fc.property(
        history,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        (records, flips) => {
          const { bytes, lines } = serialise(records);
          const mutated = Buffer.from(bytes);
          const touched = new Set<number>();
          for (const [at, mask] of flips) {
            const position = at % mutated.length;
            mutated[position]! ^= mask;
            touched.add(position);
          }
          const result = parseHistory(mutated);
          // A line is intact when neither its bytes, its newline, nor the newline before it changed.
          const intact = records.filter((_, i) => {
            const { start, end } = lines[i]!;
            for (let p = Math.max(0, start - 1); p <= end; p++) if (touched.has(p)) return false;
            return true;
          });
          expectSubsequence(result.records, intact);
          // Every line that is not blank (as UTF-8 text; undecodable bytes are not blank) is either a
          // record or a warning: nothing is dropped silently.
          const utf8 = new TextDecoder('utf-8', { fatal: true });
          let nonBlank = 0;
          for (let start = 0; start <= mutated.length;) {
            let end = mutated.indexOf(0x0a, start);
            if (end < 0) end = mutated.length;
            try {
              if (utf8.decode(mutated.subarray(start, end)).trim() !== '') nonBlank++;
            } catch {
              nonBlank++;
            }
            start = end + 1;
          }
          expect(result.records.length + result.warnings.length).toBe(nonBlank);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with garbage lines inserted: every record read, one warning per garbage line, at its line', () => {
    const garbage = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[\n\r]/g, ' '))
      .filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(
        history,
        fc.array(fc.tuple(fc.nat(), garbage), { minLength: 1, maxLength: 5 }),
        (records, inserts) => {
          const lines: { text: string; junk: boolean }[] = records.map((r) => ({
            text: formatHistoryLine(r),
            junk: false,
          }));
          for (const [at, junk] of inserts)
            lines.splice(at % (lines.length + 1), 0, { text: `${junk}\n`, junk: true });
          const garbageLines = lines.flatMap((line, i) => (line.junk ? [i + 1] : []));
          const result = parseHistory(lines.map((line) => line.text).join(''));
          expect(result.records).toEqual(records);
          expect(result.warnings.map((w) => w.line)).toEqual(garbageLines);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('lastGoodRecord', () => {
  it('is the latest passing run of that board, by time, not by line', () => {
    const records = [
      record(5, { runId: 'late-pass' }),
      record(1, { runId: 'early-pass' }),
      record(9, { runId: 'later-fail', verdict: 'regression' }),
      record(8, { runId: 'other-board', device: { id: 'another' } }),
    ];
    expect(lastGoodRecord(records, 'e6614103e7452d2f')?.runId).toBe('late-pass');
    expect(lastGoodRecord(records, 'another')?.runId).toBe('other-board');
    expect(lastGoodRecord(records, 'unknown')).toBeUndefined();
    expect(lastGoodRecord([record(3, { verdict: 'error' })], 'e6614103e7452d2f')).toBeUndefined();
  });

  it('prefers the later line when two runs share a time', () => {
    const records = [record(2, { runId: 'first' }), record(2, { runId: 'second' })];
    expect(lastGoodRecord(records, 'e6614103e7452d2f')?.runId).toBe('second');
  });
});
