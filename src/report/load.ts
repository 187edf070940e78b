import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { TOOL_VERSION } from '../version.ts';
import { REPORT_SCHEMA, reportSchema, type Report } from './schema.ts';
import { UNREACHED_SCHEMA, stoppedBy, unreachedSchema, type UnreachedReport } from './unreached.ts';

/**
 * A report.json written by a picogc this one cannot read: a newer (or older) schema version. Its
 * own name, so scripts and the CLI line say what is wrong rather than "invalid input".
 */
export class UnknownSchemaError extends InputError {}

/**
 * The run directory is one of a run that never reached its device (`picogc.unreached/1`): there is
 * nothing measured to read. Its own name, so a compare or a baseline says that and why.
 */
export class UnreachedRunError extends InputError {}

export interface LoadedReport {
  report: Report;
  /** The report.json that was read. */
  file: string;
  /** The run directory it sits in (where its views belong). */
  dir: string;
}

/** A run directory's report.json as read: a reached run's report, or the report of an unreached board. */
export type LoadedRun =
  | ({ kind: 'report' } & LoadedReport)
  | { kind: 'unreached'; unreached: UnreachedReport; file: string; dir: string };

/** The schema family of a document; the part after the slash is the version. */
const family = (schema: string) => schema.slice(0, schema.indexOf('/') + 1);

/**
 * Reads and validates a report: `path` is a report.json, a run directory holding one, or the
 * `latest` pointer (a symlink, or on filesystems without symlinks a file naming the run). Every
 * failure is an InputError (exit 2) naming the file; an unknown schema version is refused before
 * the body is looked at, since its fields may mean something else.
 */
export function loadReport(path: string): LoadedReport {
  const { json, file } = readRunJson(path);
  return { report: parseReport(json, file), file, dir: dirname(file) };
}

/**
 * As loadReport, but a run that never reached its device is read too, not refused: for what shows
 * a run whatever became of it (`picogc report` rebuilding its views).
 */
export function loadRun(path: string): LoadedRun {
  const { json, file } = readRunJson(path);
  const dir = dirname(file);
  if (schemaOf(json) === UNREACHED_SCHEMA) {
    return {
      kind: 'unreached',
      unreached: validated(unreachedSchema, json, UNREACHED_SCHEMA, file),
      file,
      dir,
    };
  }
  return { kind: 'report', report: parseReport(json, file), file, dir };
}

function readRunJson(path: string): { json: unknown; file: string } {
  const file = reportFile(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${reason(error)}`);
  }
  try {
    return { json: JSON.parse(text), file };
  } catch (error) {
    throw new InputError(`${file} is not JSON: ${reason(error)}`);
  }
}

function schemaOf(json: unknown): unknown {
  return typeof json === 'object' && json !== null ? (json as { schema?: unknown }).schema : undefined;
}

/** Validates parsed JSON as a report of the schema this picogc writes. `where` names it in errors. */
export function parseReport(json: unknown, where = 'report'): Report {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${where} is not a picogc report: expected a JSON object`);
  }
  const schema = (json as { schema?: unknown }).schema;
  if (typeof schema !== 'string') {
    throw new InputError(`${where} is not a picogc report: it has no "schema" field`);
  }
  if (schema === UNREACHED_SCHEMA) {
    const parsed = unreachedSchema.safeParse(json);
    const board = parsed.success ? ` (${parsed.data.target.label})` : '';
    const why = parsed.success ? `: ${stoppedBy(parsed.data.stage, parsed.data.error)}` : '';
    throw new UnreachedRunError(
      `${where} is the report of a run that never reached its device${board}, so nothing was measured${why}`,
    );
  }
  if (schema !== REPORT_SCHEMA) {
    const known = [REPORT_SCHEMA, UNREACHED_SCHEMA].find((k) => family(k) === family(schema));
    if (known) {
      throw new UnknownSchemaError(
        `${where} has report schema ${schema}; picogc ${TOOL_VERSION} reads ${known} only ` +
          '(use the picogc version that wrote it)',
      );
    }
    throw new InputError(`${where} is not a picogc report: schema ${JSON.stringify(schema)}`);
  }
  return validated(reportSchema, json, REPORT_SCHEMA, where);
}

/** `json` as `schema` reads it, or an InputError naming the first fields that do not match. */
function validated<T>(schema: z.ZodType<T>, json: unknown, name: string, where: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : '';
    throw new InputError(`${where} does not match ${name}: ${issues.join('; ')}${more}`);
  }
  return parsed.data;
}

function reportFile(path: string): string {
  const kind = statKind(path);
  if (kind === 'missing') throw new InputError(`no such file or directory: ${path}`);
  if (kind === 'dir') {
    const file = join(path, 'report.json');
    if (statKind(file) !== 'file')
      throw new InputError(`${path} is not a run directory: it has no report.json`);
    return file;
  }
  // `latest` written as a file (no symlinks): one line naming the run directory beside it.
  if (basename(path) === 'latest') {
    const runId = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9._-]+$/.test(runId) && statKind(join(dirname(path), runId)) === 'dir') {
      return reportFile(join(dirname(path), runId));
    }
  }
  return path;
}

function statKind(path: string): 'file' | 'dir' | 'missing' | 'other' {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}` : error.message;
  }
  return String(error);
}
