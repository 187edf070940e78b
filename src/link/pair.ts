import { Duplex } from 'node:stream';

/**
 * Two Duplex streams wired back to back: what one side writes, the other reads. The in-process
 * link between the host and the virtual Pico, and between the REPL client and a scripted peer in
 * tests. (Node 22 has `stream.duplexPair`; picogc supports Node 20.)
 */
export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const other = peer();
        if (!other.destroyed) other.push(Buffer.from(chunk));
        callback();
      },
      final(callback) {
        peer().push(null);
        callback();
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.readableEnded) other.push(null);
        callback(error);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
