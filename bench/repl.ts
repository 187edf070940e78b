import { quantile } from 'simple-statistics';
import { duplexPair } from '../src/link/pair.ts';
import { RawRepl } from '../src/repl/raw-repl.ts';
import { ScriptedDevice } from '../test/support/scripted-peer.ts';
import type { BenchModule } from './bench-module.ts';

const SMALL_EXEC = 'print(1)';
const SMALL_RUNS = 200;
const WARMUP_RUNS = 20;
const UPLOAD_BYTES = 64 * 1024;
const UPLOAD_RUNS = 3;
const CLASSIC_PAUSE_MS = 10;

/**
 * Host-side cost of the raw-REPL client against an in-process scripted device that answers at
 * once (no USB, no MicroPython): what is left is the client's own overhead, and the upload rate
 * its flow control (raw-paste) or pacing (classic, 256 B + 10 ms as pyboard.py) allows.
 */
export const replBench: BenchModule = {
  name: 'repl',
  async run() {
    const [host, board] = duplexPair();
    new ScriptedDevice(board, { run: (code) => (code === SMALL_EXEC ? { stdout: '1\r\n' } : {}) });
    const repl = new RawRepl(host, { classicChunkPauseMs: CLASSIC_PAUSE_MS });
    await repl.enter();

    for (let i = 0; i < WARMUP_RUNS; i++) await repl.exec(SMALL_EXEC);
    const smallMs: number[] = [];
    for (let i = 0; i < SMALL_RUNS; i++) {
      const start = performance.now();
      await repl.exec(SMALL_EXEC);
      smallMs.push(performance.now() - start);
    }

    const script = makeScript(UPLOAD_BYTES);
    const rawPaste = await timeUploads(repl, script, false);
    const classic = await timeUploads(repl, script, true);
    repl.close();

    const median = quantile(smallMs, 0.5);
    const ratio = rawPaste.bytesPerSecond / classic.bytesPerSecond;
    return {
      peer: 'in-process scripted device over duplexPair, answering at once',
      smallExec: {
        code: SMALL_EXEC,
        pasteMode: repl.pasteMode,
        runs: SMALL_RUNS,
        medianMs: round(median),
        p95Ms: round(quantile(smallMs, 0.95)),
        targetMs: 1.2,
        meetsTarget: median <= 1.2,
      },
      upload: {
        bytes: UPLOAD_BYTES,
        runs: UPLOAD_RUNS,
        rawPaste,
        classic: { ...classic, chunkBytes: 256, chunkPauseMs: CLASSIC_PAUSE_MS },
        rawPasteOverClassic: round(ratio),
        targetRatio: 5,
        meetsTarget: ratio >= 5,
      },
    };
  },
};

async function timeUploads(repl: RawRepl, script: string, forceClassic: boolean) {
  const ms: number[] = [];
  for (let i = 0; i < UPLOAD_RUNS; i++) {
    const start = performance.now();
    await repl.exec(script, { forceClassic, timeoutMs: 60_000 });
    ms.push(performance.now() - start);
  }
  const median = quantile(ms, 0.5);
  return { medianMs: round(median), bytesPerSecond: Math.round((UPLOAD_BYTES / median) * 1000) };
}

/** Plain assignments, `size` bytes exactly. */
export function makeScript(size: number): string {
  const line = 'value = 12345  # padding\n';
  const body = line.repeat(Math.floor(size / line.length));
  return body + '#'.repeat(size - body.length - 1) + '\n';
}

/** Milliseconds to the µs. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
