import type { z } from 'zod';
import { ProtocolError, escapeBytes } from '../errors.ts';

/** Device scripts prefix every data line with this marker (device-scripts/common.py). */
export const DATA_MARK = '@picogc ';

/** Device output that should have been one JSON data line but was not. */
export class DeviceDataError extends ProtocolError {}

/**
 * Split device stdout into data records and log lines. A line that starts with the marker must
 * hold exactly one JSON object; anything else is log, never parsed. JSON.parse only builds data,
 * it never executes device text.
 */
export function splitDataLines(stdout: string): { records: unknown[]; log: string[] } {
  const records: unknown[] = [];
  const log: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.startsWith(DATA_MARK)) {
      if (line !== '') log.push(line);
      continue;
    }
    const body = line.slice(DATA_MARK.length);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new DeviceDataError('a data line is not valid JSON', escapeBytes(body));
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DeviceDataError('a data line does not hold one JSON object', escapeBytes(body));
    }
    records.push(value);
  }
  return { records, log };
}

/** Parse every data record of one `kind` with its schema; a record that does not fit is an error. */
export function parseRecords<S extends z.ZodType>(stdout: string, kind: string, schema: S): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  for (const record of splitDataLines(stdout).records) {
    if ((record as { kind?: unknown }).kind !== kind) continue;
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      throw new DeviceDataError(
        `a "${kind}" data line does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        escapeBytes(JSON.stringify(record)),
      );
    }
    out.push(parsed.data);
  }
  return out;
}

/** Exactly one record of `kind`, or an error naming what was missing. */
export function parseOneRecord<S extends z.ZodType>(stdout: string, kind: string, schema: S): z.infer<S> {
  const records = parseRecords(stdout, kind, schema);
  if (records.length !== 1) {
    throw new DeviceDataError(`expected one "${kind}" data line, got ${records.length}`, escapeBytes(stdout));
  }
  return records[0]!;
}
