import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { TOOL_VERSION } from '../version.ts';
import { REPORT_SCHEMA, reportSchema, type Report } from './schema.ts';

/**
 * A report.json written by a picogc this one cannot read: a newer (or older) schema version. Its
 * own name, so scripts and the CLI line say what is wrong rather than "invalid input".
 */
export class UnknownSchemaError extends InputError {}

export interface LoadedReport {
  report: Report;
  /** The report.json that was read. */
  file: string;
  /** The run directory it sits in (where its views belong). */
  dir: string;
}

/** The schema family picogc reports belong to; the part after the slash is the version. */
const REPORT_FAMILY = REPORT_SCHEMA.slice(0, REPORT_SCHEMA.indexOf('/') + 1);

/**
 * Reads and validates a report: `path` is a report.json, a run directory holding one, or the
 * `latest` pointer (a symlink, or on filesystems without symlinks a file naming the run). Every
 * failure is an InputError (exit 2) naming the file; an unknown schema version is refused before
 * the body is looked at, since its fields may mean something else.
 */
export function loadReport(path: string): LoadedReport {
  const file = reportFile(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${reason(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not JSON: ${reason(error)}`);
  }
  return { report: parseReport(json, file), file, dir: dirname(file) };
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
  if (schema !== REPORT_SCHEMA) {
    if (schema.startsWith(REPORT_FAMILY)) {
      throw new UnknownSchemaError(
        `${where} has report schema ${schema}; picogc ${TOOL_VERSION} reads ${REPORT_SCHEMA} only ` +
          '(use the picogc version that wrote it)',
      );
    }
    throw new InputError(`${where} is not a picogc report: schema ${JSON.stringify(schema)}`);
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : '';
    throw new InputError(`${where} does not match ${REPORT_SCHEMA}: ${issues.join('; ')}${more}`);
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
