import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.ts';
import { duplexPair } from './pair.ts';
import { recordLink } from './record-link.ts';
import { bytesOf, readRecording } from './recording.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-record-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock that reads what the test sets. */
function manualClock(): Clock & { at: number } {
  return {
    at: 0,
    now() {
      return this.at;
    },
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
  };
}

describe('recordLink', () => {
  it('keeps both directions in order with their times and writes them when the link closes', async () => {
    const [hostEnd, deviceEnd] = duplexPair();
    let closed = false;
    const clock = manualClock();
    const path = join(dir, 'r.rec.gz');
    const link = recordLink(
      { stream: hostEnd, description: 'a pair', close: () => Promise.resolve(void (closed = true)) },
      { path, meta: () => ({ note: 'kept' }), clock },
    );
    const heard: string[] = [];
    link.stream.on('data', (chunk: Buffer) => heard.push(chunk.toString()));
    deviceEnd.write('hello');
    await new Promise((resolve) => setImmediate(resolve));
    clock.at = 2.5;
    await new Promise<void>((resolve) => link.stream.write('ping', () => resolve()));
    clock.at = 4;
    await link.close();

    expect(closed).toBe(true);
    expect(heard).toEqual(['hello']);
    const recording = readRecording(path);
    expect(recording.link).toBe('a pair');
    expect(recording.meta).toEqual({ note: 'kept' });
    expect(recording.durationMs).toBe(4);
    expect(recording.events.map(([t, d]) => [t, d])).toEqual([
      [0, 'd'],
      [2.5, 'h'],
    ]);
    expect(bytesOf(recording, 'h').toString()).toBe('ping');
    expect(bytesOf(recording, 'd').toString()).toBe('hello');
  });

  it('refuses a file that is not a recording, naming it', async () => {
    const path = join(dir, 'not.rec.gz');
    await import('node:fs/promises').then((fs) => fs.writeFile(path, '{"schema":"picogc.report/1"}'));
    expect(() => readRecording(path)).toThrow(/not a picogc.recording\/1 recording/);
  });
});
