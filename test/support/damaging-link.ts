import { Duplex } from 'node:stream';
import { ReplDevice } from '../../src/device/repl-device.ts';

/**
 * The link, with `needle` replaced by `replacement` in the first answer that holds it once `arm()` was
 * called and the host sent code containing `after`; with `every`, in each copy up to that exec's end;
 * with `always`, again in the first answer after each later code containing `after`.
 * While it watches, output that could be the start of `needle` waits for the next chunk, so a needle
 * split across chunks is still found; nothing else is held back.
 */
export function damagingLink(
  link: Duplex,
  after: string,
  needle: string,
  replacement: string,
  { every = false, always = false }: { every?: boolean; always?: boolean } = {},
) {
  let armed = false;
  let watching = false;
  let struck = false;
  let damaged = 0;
  let pending = '';
  let sinceStrike = '';
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      if (armed && chunk.includes(after)) watching = true;
      link.write(chunk, callback);
    },
    read() {},
  });
  const stop = () => {
    watching = struck = false;
    armed &&= always;
    sinceStrike = '';
  };
  link.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    if (!watching) return stream.push(chunk);
    pending += text;
    let out = '';
    for (let at = pending.indexOf(needle); at >= 0 && watching; at = pending.indexOf(needle)) {
      out += pending.slice(0, at) + replacement;
      pending = pending.slice(at + needle.length);
      if (!struck) damaged++;
      struck = true;
      if (!every) stop();
    }
    if (struck) sinceStrike += text;
    if (sinceStrike.includes('\x04>')) stop();
    const held = watching ? heldBack(pending, needle) : 0;
    out += pending.slice(0, pending.length - held);
    pending = pending.slice(pending.length - held);
    stream.push(Buffer.from(out, 'latin1'));
  });
  return { stream, arm: () => (armed = true), damaged: () => damaged };
}

/** The length of the longest end of `text` that begins `needle`. */
function heldBack(text: string, needle: string): number {
  for (let length = Math.min(text.length, needle.length - 1); length > 0; length--) {
    if (needle.startsWith(text.slice(-length))) return length;
  }
  return 0;
}

/** A device layer for the virtual Pico whose link is `link`'s stream. */
export function connectThrough(link: { stream: Duplex }): Promise<ReplDevice> {
  return ReplDevice.connect(
    { stream: link.stream, description: 'virtual Pico', close: async () => {} },
    'sim',
  );
}
