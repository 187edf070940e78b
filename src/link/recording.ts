import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { InputError } from '../errors.ts';

/** The format of a recorded conversation; a reader refuses any other. */
export const RECORDING_SCHEMA = 'picogc.recording/1';

/** Which way a chunk went: `h` host → device, `d` device → host. */
export type Direction = 'h' | 'd';

/**
 * A whole conversation with a device, byte for byte: every chunk each way with the host's time
 * (ms since the link opened). `meta` belongs to whoever recorded it (the device layer keeps the
 * device's identity and the scripts it was given there); this layer only keeps bytes.
 */
export const recordingSchema = z.object({
  schema: z.literal(RECORDING_SCHEMA),
  tool: z.object({ name: z.literal('picogc'), version: z.string() }),
  recordedAt: z.string(),
  /** What the link was (a port path, an emulator and its image, a virtual Pico). */
  link: z.string(),
  durationMs: z.number().nonnegative(),
  meta: z.record(z.string(), z.unknown()),
  /** [ms since the link opened, direction, bytes in base64] */
  events: z.array(z.tuple([z.number().nonnegative(), z.enum(['h', 'd']), z.string()])),
});
export type Recording = z.infer<typeof recordingSchema>;

/** Gzip-compressed JSON; written to a temporary name first, so a reader never sees half a file. */
export function writeRecording(path: string, recording: Recording): void {
  const temporary = `${path}.partial`;
  writeFileSync(temporary, gzipSync(JSON.stringify(recording), { level: 9 }));
  renameSync(temporary, path);
}

export function readRecording(path: string): Recording {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    throw new InputError(
      `cannot read the recording ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let json: unknown;
  try {
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${path} is not a picogc recording (gzip-compressed JSON): ${(error as Error).message}`,
    );
  }
  const schema = (json as { schema?: unknown } | null)?.schema;
  if (schema !== RECORDING_SCHEMA) {
    throw new InputError(
      `${path} is not a ${RECORDING_SCHEMA} recording (its schema is ${JSON.stringify(schema)}); ` +
        'remake it with this picogc (--record FILE)',
    );
  }
  const parsed = recordingSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${path} is a damaged recording: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/** The bytes of one direction, in order. */
export function bytesOf(recording: Recording, direction: Direction): Buffer {
  return Buffer.concat(
    recording.events.filter((e) => e[1] === direction).map((e) => Buffer.from(e[2], 'base64')),
  );
}
