import { Duplex } from 'node:stream';

/**
 * Two Duplex streams wired back to back: what one side writes, the other reads. The in-process
 * link between the host and the virtual Pico, and between the REPL client and a scripted peer in
 * tests. (Node 22 has `stream.duplexPair`; picogc supports Node 20.)
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const peerOf = (self: number) => ends[1 - self]!;
  const make = (self: number) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const peer = peerOf(self);
        if (!peer.destroyed) peer.push(Buffer.from(chunk));
        callback();
      },
      final(callback) {
        peerOf(self).push(null);
        callback();
      },
      destroy(error, callback) {
        const peer = peerOf(self);
        if (!peer.readableEnded) peer.push(null);
        callback(error);
      },
    });
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}
