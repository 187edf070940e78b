import { duplexPair } from '../../src/link/pair.ts';
import { RawRepl, type RawReplOptions } from '../../src/repl/raw-repl.ts';
import { ScriptedDevice, type ScriptedDeviceOptions } from './scripted-peer.ts';

/** A RawRepl client talking to a scripted device over an in-memory pair. */
export function connect(device: ScriptedDeviceOptions = {}, client: RawReplOptions = {}) {
  const [host, board] = duplexPair();
  const peer = new ScriptedDevice(board, device);
  const repl = new RawRepl(host, { classicChunkPauseMs: 0, ...client });
  return { repl, peer, host, board };
}

/** How often `needle` (latin1) occurs in what the device received. */
export function count(haystack: Buffer, needle: string): number {
  let n = 0;
  for (
    let at = haystack.indexOf(needle, 0, 'latin1');
    at >= 0;
    at = haystack.indexOf(needle, at + 1, 'latin1')
  )
    n++;
  return n;
}

/** Python source of at least `bytes` bytes, with a non-ASCII character on every line. */
export const script = (bytes: number) => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `x_${i} = ${i} * 2  # é\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return lines.join('');
};
