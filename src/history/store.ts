import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { HISTORY_SCHEMA, historyRecordSchema, type HistoryRecord } from './schema.ts';

/**
 * The history store: one JSON object a line, appended and fsynced per run and board, never rewritten.
 * A crash can only damage the line being written; the reader skips a damaged line with a warning and
 * reads everything else, so a nightly job that ran for months never loses its past to one bad night.
 */

export type HistoryWarningReason =
  | 'truncated-last-line'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'not-a-record'
  | 'unknown-schema'
  | 'schema-mismatch';

export interface HistoryWarning {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: HistoryWarningReason;
  readonly message: string;
}

export interface HistoryReadResult {
  /** Valid records in file order. */
  readonly records: HistoryRecord[];
  /** One per skipped line, in line order. Blank lines are not warned about. */
  readonly warnings: HistoryWarning[];
}

/** The exact bytes `appendHistoryRecord` writes for a record: validated, one line, newline-terminated. */
export function formatHistoryLine(record: HistoryRecord): string {
  if (hasProtoKey(record)) throw new InputError(`refusing to write a history record with a "__proto__" key`);
  const parsed = historyRecordSchema.safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`,
    );
    throw new InputError(`refusing to write an invalid history record: ${issues.join('; ')}`);
  }
  return `${JSON.stringify(parsed.data)}\n`;
}

/** One append at a time per file within this process, so the "ends with a newline?" check holds. */
const appendQueues = new Map<string, Promise<void>>();

/**
 * Append one record and fsync it (and the directory, when the file is new), so that once this resolves
 * the record survives a crash or power loss. If the file ends in a half-written line (an earlier crash),
 * that line is closed with a newline first, so the new record is not glued onto it.
 */
export async function appendHistoryRecord(path: string, record: HistoryRecord): Promise<void> {
  // Everything up to the `await` runs synchronously, so appends queue in call order.
  const line = formatHistoryLine(record);
  const key = resolve(path);
  const previous = appendQueues.get(key) ?? Promise.resolve();
  const next = previous.then(
    () => appendLine(path, line),
    () => appendLine(path, line),
  );
  appendQueues.set(key, next);
  const forget = () => {
    if (appendQueues.get(key) === next) appendQueues.delete(key);
  };
  next.then(forget, forget);
  await next;
}

async function appendLine(path: string, line: string): Promise<void> {
  const fail = (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`cannot append to history ${path}: ${code}`, { cause: error });
  };
  const directory = dirname(path);
  await mkdir(directory, { recursive: true }).catch(fail);
  const created = await stat(path).then(
    () => false,
    () => true,
  );
  const handle = await open(path, 'a+').catch(fail);
  try {
    const { size } = await handle.stat();
    let text = line;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) text = `\n${line}`;
    }
    // One write call: appends from several processes do not interleave within a line on a local disk.
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
      written += bytesWritten;
    }
    await handle.sync();
  } catch (error) {
    fail(error);
  } finally {
    await handle.close();
  }
  if (created) await syncDirectory(directory);
}

/** Make a new file's directory entry durable; not possible everywhere (Windows), so best effort. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EPERM/EINVAL where directories cannot be opened or synced: the file's own fsync stands.
  }
}

/** Read the history; a missing file is an empty history (the first run). */
export async function readHistory(path: string): Promise<HistoryReadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { records: [], warnings: [] };
    throw new InputError(`cannot read history ${path}: ${code ?? String(error)}`, { cause: error });
  }
  return parseHistory(bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse history bytes: every valid line becomes a record; every other non-blank line a warning. */
export function parseHistory(input: Uint8Array | string): HistoryReadResult {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const records: HistoryRecord[] = [];
  const warnings: HistoryWarning[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const terminated = end >= 0;
    if (!terminated) end = bytes.length;
    lineNumber++;
    const outcome = parseLine(bytes.subarray(start, end));
    start = end + 1;
    if (outcome === 'blank') continue;
    if ('record' in outcome) {
      records.push(outcome.record);
    } else if (!terminated) {
      // A crash mid-append leaves exactly this: a last line without its newline that does not parse.
      warnings.push({
        line: lineNumber,
        reason: 'truncated-last-line',
        message: `last line is incomplete (no newline, ${outcome.message}); a run was interrupted while writing it`,
      });
    } else {
      warnings.push({ line: lineNumber, reason: outcome.reason, message: outcome.message });
    }
  }
  return { records, warnings };
}

type LineOutcome = 'blank' | { record: HistoryRecord } | { reason: HistoryWarningReason; message: string };

function parseLine(line: Uint8Array): LineOutcome {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { reason: 'invalid-utf8', message: 'not valid UTF-8' };
  }
  if (text.trim() === '') return 'blank';
  let value: unknown;
  let protoKey = false;
  try {
    value = JSON.parse(text, (key, member: unknown) => {
      if (key === '__proto__') protoKey = true;
      return member;
    });
  } catch (error) {
    return { reason: 'invalid-json', message: `not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { reason: 'not-a-record', message: 'not a JSON object' };
  }
  const schema = (value as { schema?: unknown }).schema;
  if (schema !== HISTORY_SCHEMA) {
    return {
      reason: 'unknown-schema',
      message: `schema ${JSON.stringify(schema) ?? 'missing'}, expected "${HISTORY_SCHEMA}" (written by another picogc version?)`,
    };
  }
  if (protoKey) {
    // zod would drop the key without a word (assigning it would set the prototype): refuse the line.
    return { reason: 'schema-mismatch', message: 'a "__proto__" key is not allowed' };
  }
  const parsed = historyRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
    return { reason: 'schema-mismatch', message: issues.join('; ') };
  }
  return { record: parsed.data };
}

/** True when any object inside `value` has an own `__proto__` key (as JSON.parse can create). */
function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(hasProtoKey);
}

/** `reports/history.jsonl:12: skipped (invalid-json): …`, for a warning line on stderr. */
export function formatHistoryWarning(path: string, warning: HistoryWarning): string {
  return `${path}:${warning.line}: skipped (${warning.reason}): ${warning.message}`;
}

/** The latest passing run of a board: what tonight's run is compared against. Ties go to the later line. */
export function lastGoodRecord(
  records: readonly HistoryRecord[],
  deviceId: string,
): HistoryRecord | undefined {
  let best: HistoryRecord | undefined;
  for (const record of records) {
    if (record.device.id !== deviceId || record.verdict !== 'pass') continue;
    if (!best || Date.parse(record.at) >= Date.parse(best.at)) best = record;
  }
  return best;
}
