// sys.stdin of a running script, in the VM's thread. The VM reads fd 0 through the emscripten FS
// (extmod/vfs_posix_file.c: sys.stdin and sys.stdin.buffer are fd 0), whose stream stops at a TTY
// that cannot read in a worker (OSError 29, EIO). Its read and poll are replaced here: a read takes
// the rest of the bytes being fed (a friendly-mode line's followers), else blocks on the stdin ring
// the host fills (layout: vm-protocol.ts), as a Pico's read blocks on its USB ring. A read that is
// interrupted returns EINTR, on which the VM runs its pending KeyboardInterrupt
// (MP_HAL_RETRY_SYSCALL in ports/webassembly/mphalport.h), as rp2 raises it from its read loop.

import { STDIN_HEADER_BYTES, STDIN_SLOT } from './stdin-ring-layout.mjs';

const { written: WRITTEN, read: READ, wanted: WANTED, pending: PENDING } = STDIN_SLOT;

const POLLIN = 0x1;
const POLLOUT = 0x4;
const EINTR = 27; // emscripten's number (its ERRNO_CODES)
/** A blocked read looks at its flags this often even if nothing wakes it. */
const WAIT_SLICE_MS = 50;

export class Stdin {
  constructor(buffer, port) {
    this.control = new Int32Array(buffer, 0, 4);
    this.data = new Uint8Array(buffer, STDIN_HEADER_BYTES);
    this.port = port;
    /** The bytes being fed to the REPL and the next one's index; a read takes from here first. */
    this.segment = null;
    /** A read is blocked waiting for the host. */
    this.waiting = false;
    this.pendingInterrupt = false;
    this.mp = null;
  }

  /** Put this stdin under fd 0 of a freshly loaded VM. */
  attach(mp) {
    this.mp = mp;
    this.waiting = false;
    this.pendingInterrupt = false;
    const stream = mp.FS.getStream(0);
    stream.stream_ops = {
      ...stream.stream_ops,
      read: (_stream, buffer, offset, length) => this.read(buffer, offset, length),
      poll: () => this.poll(),
    };
  }

  /**
   * A KeyboardInterrupt was scheduled: what was queued before the Ctrl-C is dropped, as a Pico
   * clears its stdin ring, and a blocked read returns EINTR so the VM raises it.
   */
  interrupted() {
    Atomics.store(this.control, READ, Atomics.load(this.control, WRITTEN));
    if (this.waiting) this.pendingInterrupt = true;
  }

  available() {
    return (Atomics.load(this.control, WRITTEN) - Atomics.load(this.control, READ)) | 0;
  }

  /**
   * All `length` bytes, as a Pico's stdin read gives them (byte by byte until the count is met):
   * the VM would call again for the rest anyway (mp_stream_rw reads until its size is met), but as
   * many times as the host's bytes came in pieces, and the work clock counts those calls. Returning
   * what happened to be there made a script's device time, and the ticks it stores, follow the
   * host's timing. Interrupted part-way, the bytes already read are returned and the next read
   * raises.
   */
  read(buffer, offset, length) {
    if (length === 0) return 0;
    let n = 0;
    const segment = this.segment;
    if (segment && segment.index < segment.bytes.length) {
      n = Math.min(length, segment.bytes.length - segment.index);
      for (let i = 0; i < n; i++) buffer[offset + i] = segment.bytes[segment.index + i];
      segment.index += n;
    }
    while (n < length) {
      const written = Atomics.load(this.control, WRITTEN);
      const read = Atomics.load(this.control, READ);
      const available = (written - read) | 0;
      if (available > 0) {
        const take = Math.min(length - n, available);
        const mask = this.data.length - 1;
        for (let i = 0; i < take; i++) buffer[offset + n + i] = this.data[(read + i) & mask];
        Atomics.store(this.control, READ, (read + take) | 0);
        n += take;
        continue;
      }
      if (this.pendingInterrupt) {
        if (n > 0) {
          this.waiting = false;
          Atomics.store(this.control, WANTED, 0);
          return n;
        }
        this.stopWaiting();
        throw new this.mp.FS.ErrnoError(EINTR);
      }
      if (!this.waiting || Atomics.load(this.control, WANTED) !== length - n) {
        this.waiting = true;
        Atomics.store(this.control, WANTED, length - n);
        this.port.postMessage({ type: 'stdin' });
      }
      Atomics.wait(this.control, WRITTEN, written, WAIT_SLICE_MS);
    }
    this.stopWaiting();
    return n;
  }

  stopWaiting() {
    this.waiting = false;
    this.pendingInterrupt = false;
    Atomics.store(this.control, WANTED, 0);
  }

  /** select.poll on sys.stdin: readable when a read would not block. */
  poll() {
    const segment = this.segment;
    const ready =
      (segment !== null && segment.index < segment.bytes.length) ||
      this.available() > 0 ||
      Atomics.load(this.control, PENDING) > 0;
    return ready ? POLLIN | POLLOUT : POLLOUT;
  }
}
