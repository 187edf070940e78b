import { z } from 'zod';
import { escapeBytes, InputError } from '../errors.ts';
import type { Link } from '../link/link.ts';
import { recordLink } from '../link/record-link.ts';
import { readRecording, type Recording } from '../link/recording.ts';
import { replayLink, type Divergence } from '../link/replay-link.ts';
import { BYTE, RAW_PASTE_REQUEST } from '../protocol/raw-repl-vocabulary.ts';
import { deviceInfoSchema, type DeviceInfo } from './device-info.ts';
import { deviceScriptHashes, sha256 } from './scripts.ts';
import { CHECKED_CALL, framedSource } from './verified-exec.ts';

/** What the device layer keeps beside a recording's bytes. */
export const recordedMetaSchema = z.object({
  /** The command line that made it. */
  command: z.string(),
  /** The device as `info()` saw it; absent when the conversation ended before that. */
  device: deviceInfoSchema.optional(),
  /** sha256 of each device script when it was made: replaying after a change must be refused. */
  scripts: z.record(z.string(), z.string()),
  /** Anything else the recorder was told (e.g. the emulated image's firmware block). */
  notes: z.record(z.string(), z.unknown()),
});
export type RecordedMeta = z.infer<typeof recordedMetaSchema>;

/** Lets whoever runs a recorded device add to what is kept beside the bytes. */
export interface RecordingNotes {
  note(key: string, value: unknown): void;
}

/**
 * Record every byte of a link (`--record FILE`). `device` is asked at close for what it learnt about
 * itself; `notes` collects what the caller adds (the firmware it loaded, say).
 */
export function recordDeviceLink(
  link: Link,
  path: string,
  command: string,
  device: () => DeviceInfo | undefined,
): { link: Link; notes: RecordingNotes } {
  const notes: Record<string, unknown> = {};
  const recorded = recordLink(link, {
    path,
    meta: (): RecordedMeta => {
      const info = device();
      return { command, ...(info ? { device: info } : {}), scripts: deviceScriptHashes(), notes };
    },
  });
  return { link: recorded, notes: { note: (key, value) => (notes[key] = value) } };
}

export interface ReplaySource {
  link: Link;
  recording: Recording;
  meta: RecordedMeta;
}

/**
 * `--device replay:FILE`: the recorded device played back to this host. Every byte the host sends
 * must be the recorded host's; the first that is not names the step and whether device-scripts/
 * changed since, and says the recording must be remade.
 */
export function openReplay(path: string): ReplaySource {
  const recording = readRecording(path);
  const parsed = recordedMetaSchema.safeParse(recording.meta);
  if (!parsed.success) {
    throw new InputError(
      `${path} was not recorded from a device (its meta: ${parsed.error.issues[0]?.message})`,
    );
  }
  const meta = parsed.data;
  const link = replayLink(recording, {
    description: `replay of ${path} (${recording.link}, recorded ${recording.recordedAt})`,
    explain: (divergence) => explainDivergence(path, meta, divergence),
  });
  return { link, recording, meta };
}

/** The message of a replay the host left: where, in which step, and why the recording is stale. */
export function explainDivergence(path: string, meta: RecordedMeta, d: Divergence): string {
  const changed = changedScripts(meta.scripts, deviceScriptHashes());
  const step = stepAt(d.recordedHost, d.offset, meta.scripts);
  const what =
    d.recorded.length === 0
      ? `the host went on past the end of the recording (it sent "${escapeBytes(d.sent, 40)}")`
      : `the host sent "${escapeBytes(d.sent, 40)}" where the recorded host sent "${escapeBytes(d.recorded, 40)}"`;
  const why =
    changed.length > 0
      ? `device-scripts/ changed since it was recorded (${changed.join(', ')})`
      : 'the code picogc sends changed since it was recorded';
  return (
    `replay of ${path} diverged at host byte ${d.offset}, in ${step}: ${what}. ${why}, so the recording ` +
    'no longer describes this picogc: re-record it (--record FILE on the same command; golden recordings: npm run golden)'
  );
}

/** `pause.py changed`, `new.py is new`… for every script whose text is not the recorded one. */
export function changedScripts(recorded: Record<string, string>, current: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(current)])].sort();
  return names.flatMap((name) => {
    if (recorded[name] === current[name]) return [];
    if (recorded[name] === undefined) return [`${name}.py is new`];
    if (current[name] === undefined) return [`${name}.py was removed`];
    return [`${name}.py changed`];
  });
}

/**
 * The exec the recorded host was sending at `offset`: its code runs from the last raw-paste request
 * (or, in classic mode, the last Ctrl-D) to the next Ctrl-D. An upload is named by its script.
 */
export function stepAt(host: Buffer, offset: number, scripts: Record<string, string>): string {
  const code = codeAt(host, offset);
  if (code.length === 0) return 'a raw-REPL control sequence';
  const hash = sha256(code);
  const script = Object.entries(scripts).find(([, h]) => h === hash)?.[0];
  if (script) return `the upload of device-scripts/${script}.py`;
  const line =
    code
      .toString('utf8')
      .split('\n')
      .find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  return `the exec "${escapeBytes(line.trim(), 60)}"`;
}

/**
 * The code of the exec the host was sending at `offset` of its bytes: for a checked exec, the code
 * in the frame written after the call (the call itself, while it was being sent).
 */
export function codeAt(host: Buffer, offset: number): Buffer {
  const from = Math.max(0, offset - 1);
  const call = host.lastIndexOf(CALL_SENT, from);
  const paste = host.lastIndexOf(RAW_PASTE_REQUEST, from);
  const classic = host.lastIndexOf(BYTE.CTRL_D, from);
  if (call >= 0 && call >= paste && call + CALL_SENT.length > classic) {
    const code = framedSource(host.subarray(call + CALL_SENT.length));
    if (code) return code;
  }
  const start =
    paste >= 0 && paste + RAW_PASTE_REQUEST.length > classic ? paste + RAW_PASTE_REQUEST.length : classic + 1;
  const end = host.indexOf(BYTE.CTRL_D, Math.max(start, 0));
  const sent = host.subarray(start, end < 0 ? host.length : end);
  return sent.equals(CALL_SENT.subarray(0, -1)) ? (framedSource(host.subarray(end + 1)) ?? sent) : sent;
}

/** A checked exec's call as the host sends it, ended by the Ctrl-D after which its frame follows. */
const CALL_SENT = Buffer.concat([Buffer.from(CHECKED_CALL), Buffer.of(BYTE.CTRL_D)]);
