import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticReport } from '../../test/support/synthetic-report.ts';
import { InputError, LinkError } from '../errors.ts';
import { writeUnreachedRun } from '../run/unreached-run.ts';
import { loadReport, loadRun, parseReport, UnknownSchemaError, UnreachedRunError } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'picogc-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runDir(name: string, content: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'report.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return d;
}

describe('loadReport', () => {
  const report = syntheticReport([{ id: 'e' }], { runId: 'run-a' });

  it('reads a run directory, its report.json, and the latest pointer (symlink or file)', () => {
    const d = runDir('run-a', report);
    expect(loadReport(d)).toEqual({ report, file: join(d, 'report.json'), dir: d });
    expect(loadReport(join(d, 'report.json')).report.runId).toBe('run-a');
    symlinkSync('run-a', join(dir, 'latest'));
    expect(loadReport(join(dir, 'latest')).report.runId).toBe('run-a');
    const noLinks = join(dir, 'nolinks');
    mkdirSync(noLinks);
    runDir('nolinks/run-b', syntheticReport([], { runId: 'run-b' }));
    writeFileSync(join(noLinks, 'latest'), 'run-b\n');
    expect(loadReport(join(noLinks, 'latest')).dir).toBe(join(noLinks, 'run-b'));
  });

  it('keeps fields a newer picogc of the same schema adds out of the parsed report', () => {
    const d = runDir('extra', { ...report, fromTheFuture: [{ rung: 'soft-reset' }] });
    expect(loadReport(d).report).toEqual(report);
  });

  it('names what is wrong: missing path, directory without a report, not JSON', () => {
    expect(() => loadReport(join(dir, 'nope'))).toThrow(
      new InputError(`no such file or directory: ${join(dir, 'nope')}`),
    );
    mkdirSync(join(dir, 'empty'));
    expect(() => loadReport(join(dir, 'empty'))).toThrow(/is not a run directory: it has no report.json/);
    expect(() => loadReport(runDir('bad-json', '{"schema": '))).toThrow(/report.json is not JSON/);
  });

  it('refuses an unknown schema version with its own error, before reading the body', () => {
    const d = runDir('v2', { schema: 'picogc.report/2', anything: true });
    const error = (() => {
      try {
        loadReport(d);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownSchemaError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /has report schema picogc\.report\/2; picogc .* reads picogc\.report\/1 only/,
    );
  });

  it('rejects what is not a picogc report, and a report that breaks the schema, naming the field', () => {
    expect(() => parseReport([], 'x.json')).toThrow('x.json is not a picogc report: expected a JSON object');
    expect(() => parseReport({ runId: 'r' }, 'x.json')).toThrow('it has no "schema" field');
    expect(() => parseReport({ schema: 'pyperf/1' }, 'x.json')).toThrow(
      'not a picogc report: schema "pyperf/1"',
    );
    const broken = { ...report, exitCode: 7, device: { ...report.device, heapTotal: 'big' } };
    expect(() => parseReport(broken, 'x.json')).toThrow(
      /x\.json does not match picogc\.report\/1: device\.heapTotal: .*; exitCode: /,
    );
  });
});

describe('a run that never reached its device', () => {
  const out = join(dir, 'unreached');
  const { unreached, runDir: written } = writeUnreachedRun({
    outDir: out,
    target: { kind: 'serial', id: 'ttyACM0', label: '/dev/ttyACM0', port: '/dev/ttyACM0' },
    stage: 'connecting',
    error: new LinkError('cannot open /dev/ttyACM0: EACCES'),
    options: { profile: 'default', experiments: ['alloc-sizes', 'threshold'] },
    startedAt: new Date('2026-01-02T03:04:05.678Z'),
  });

  it('is refused by loadReport with its own error saying so, the board, the stage and the error', () => {
    expect(unreached.runId).toBe('20260102T030405Z-unreached-ttyACM0');
    for (const [path, file] of [
      [written, join(written, 'report.json')],
      [join(out, 'latest'), join(out, 'latest', 'report.json')],
      [join(written, 'report.json'), join(written, 'report.json')],
    ] as const) {
      const error = (() => {
        try {
          loadReport(path);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UnreachedRunError);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(
        `${file} is the report of a run that never reached its device (/dev/ttyACM0), ` +
          'so nothing was measured: opening the link and entering the raw REPL failed: ' +
          'LinkError: cannot open /dev/ttyACM0: EACCES',
      );
    }
  });

  it('is read by loadRun (for `picogc report`), and an unknown version of it is refused as such', () => {
    expect(loadRun(written)).toEqual({
      kind: 'unreached',
      unreached,
      file: join(written, 'report.json'),
      dir: written,
    });
    const reached = runDir('reached', syntheticReport([{ id: 'e' }], { runId: 'run-r' }));
    expect(loadRun(reached)).toMatchObject({ kind: 'report', report: { runId: 'run-r' } });
    const v2 = runDir('unreached-v2', { ...unreached, schema: 'picogc.unreached/2' });
    expect(() => loadRun(v2)).toThrow(UnknownSchemaError);
    expect(() => loadReport(v2)).toThrow(
      /has report schema picogc\.unreached\/2; picogc .* reads picogc\.unreached\/1 only/,
    );
    const broken = runDir('unreached-broken', { ...unreached, stage: 'dreaming' });
    expect(() => loadRun(broken)).toThrow(/does not match picogc\.unreached\/1: stage: /);
    // Even a damaged one is not mistaken for a report with missing fields.
    expect(() => loadReport(broken)).toThrow(UnreachedRunError);
  });
});
