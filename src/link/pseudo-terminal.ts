import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { lstat, readlink, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Duplex } from 'node:stream';
import { ReadStream } from 'node:tty';
import { SerialPort } from 'serialport';
import { LinkError } from '../errors.ts';

/**
 * Where a pseudo-terminal comes from. `node-pty`: npm's `@lydell/node-pty` (a prebuilt binary per
 * platform, no system package) allocates it in this process. `socat`: Debian's socat owns it in a
 * child process and relays its bytes over stdio; the fallback where node-pty has no binary.
 */
export type PtyBackend = 'node-pty' | 'socat';

export const PTY_BACKENDS: readonly PtyBackend[] = ['node-pty', 'socat'];

/** A pseudo-terminal whose slave side any serial tool can open at `path`, as it would a Pico. */
export interface PseudoTerminal {
  /** A symbolic link to the slave device, where clients open it. */
  readonly path: string;
  /** The slave device itself (`/dev/pts/N`). */
  readonly device: string;
  readonly backend: PtyBackend;
  /**
   * The master side: what a client writes on the slave comes out of it, what is written to it the
   * client reads, byte for byte (raw, no echo). The pty outlives its clients: one can close the
   * port and another open it. Bytes written while no client has it open wait in the pty (a client
   * opening with the serial bindings flushes them).
   */
  readonly stream: Duplex;
  /** The pty and its link go away: a client still holding the port sees it vanish, as a board unplugged. */
  close(): Promise<void>;
}

export interface PseudoTerminalOptions {
  /** Default: `$PICOGC_PTY` if set, else node-pty, falling back to socat where node-pty has no binary. */
  backend?: PtyBackend;
  /** Told which backend serves, and why socat when it is the fallback. */
  log?: (line: string) => void;
}

/** Open a pseudo-terminal and link it at `path` (a symbolic link already there is replaced). */
export async function openPseudoTerminal(
  path: string,
  options: PseudoTerminalOptions = {},
): Promise<PseudoTerminal> {
  if (process.platform === 'win32') throw new LinkError('pseudo-terminals are not supported on Windows');
  await lstat(dirname(path)).catch(() => {
    throw new LinkError(`cannot create the pty link ${path}: its directory does not exist`);
  });
  const backend = options.backend ?? chosenBackend();
  if (backend === 'socat') return openWithSocat(path);
  if (backend === 'node-pty') return openWithNodePty(path, nativePty());
  const native = nativePtyOrError();
  if (native instanceof Error) {
    options.log?.(`node-pty cannot open a pty here (${native.message}); using socat`);
    return openWithSocat(path);
  }
  return openWithNodePty(path, native);
}

function chosenBackend(): PtyBackend | 'auto' {
  const named = process.env.PICOGC_PTY;
  if (named === undefined || named === '') return 'auto';
  if ((PTY_BACKENDS as readonly string[]).includes(named)) return named as PtyBackend;
  throw new LinkError(`PICOGC_PTY must be one of ${PTY_BACKENDS.join(', ')}, not ${JSON.stringify(named)}`);
}

// ---------------------------------------------------------------------------------------------------
// node-pty

/** The native half of @lydell/node-pty: `open` is openpty(3), the fds and the slave's name. */
interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

let loaded: NativePty | Error | undefined;

/**
 * node-pty's own `open()` wraps the same call in streams that do not suit a relay: it reads the
 * slave itself (stealing a client's bytes), writes the master with libuv's blocking writes (a
 * client in this process could never drain them), and its `destroy()` signals pid -1. So picogc
 * takes the native `open` (a pinned version; test/sim tests hold it) and owns the fds.
 */
function nativePtyOrError(): NativePty | Error {
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const { requireBinary } = require('@lydell/node-pty/requireBinary.js') as {
      requireBinary: (file: string) => unknown;
    };
    const binary = requireBinary('pty.node') as Partial<NativePty> | null;
    if (typeof binary?.open !== 'function') throw new Error('its binary has no open()');
    loaded = binary as NativePty;
  } catch (error) {
    loaded = new Error(
      `@lydell/node-pty: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  return loaded;
}

function nativePty(): NativePty {
  const pty = nativePtyOrError();
  if (pty instanceof Error) throw new LinkError(`cannot open a pty: ${pty.message}`, { cause: pty });
  return pty;
}

async function openWithNodePty(path: string, pty: NativePty): Promise<PseudoTerminal> {
  const opened = pty.open(80, 24);
  if (
    typeof opened?.master !== 'number' ||
    typeof opened.slave !== 'number' ||
    typeof opened.pty !== 'string'
  ) {
    throw new LinkError(`@lydell/node-pty's open() returned ${JSON.stringify(opened)}`);
  }
  const { master, slave, pty: device } = opened;
  // The serial bindings open the slave the way any client does, without its lock. That makes the
  // pty raw (no echo, no line editing, no CR/LF translation) before a byte flows, and holds the
  // slave open while clients come and go, so it never hangs up between them: socat's
  // `pty,raw,echo=0` did both. This holder never reads, so it takes no client's bytes.
  let holder: Awaited<ReturnType<typeof SerialPort.binding.open>>;
  try {
    holder = await SerialPort.binding.open({ path: device, baudRate: 115_200, lock: false });
  } catch (error) {
    closeSync(master);
    closeSync(slave);
    throw new LinkError(`cannot set up the pty ${device}: ${(error as Error).message}`, { cause: error });
  }
  closeSync(slave);
  const reader = new ReadStream(master);
  const writer = new MasterWriter(master);
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writer.write(chunk, done);
    },
  });
  reader.on('data', (chunk: Buffer) => stream.push(chunk));
  // EIO: the slave hung up (only once this pty is closing, since the holder keeps it open).
  reader.on('error', (error: NodeJS.ErrnoException) =>
    error.code === 'EIO' ? stream.push(null) : stream.destroy(error),
  );
  try {
    await placeLink(path, device);
  } catch (error) {
    await holder.close().catch(() => undefined);
    reader.destroy();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    path,
    device,
    backend: 'node-pty',
    stream,
    close() {
      closing ??= (async () => {
        // No write may reach the master's fd number once it is closed (it could be reused).
        writer.stop();
        const closed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
        reader.destroy();
        await closed;
        await holder.close().catch(() => undefined);
        stream.push(null);
        stream.destroy();
        await removeLink(path, device);
      })();
      return closing;
    },
  };
}

/**
 * Writes to the master's fd without blocking the thread: the fd is non-blocking, so a write takes
 * what the pty has room for at once. A full pty (a client not reading) leaves the rest queued (a
 * copy: the caller may reuse its buffer), tried again after a pause (1 ms, doubling to 16).
 */
class MasterWriter {
  private readonly queue: { chunk: Buffer; done: (error?: Error | null) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly fd: number) {}

  write(chunk: Buffer, done: (error?: Error | null) => void): void {
    if (this.stopped) return done(new LinkError('the pty is closed'));
    if (this.queue.length > 0) {
      this.queue.push({ chunk: Buffer.from(chunk), done });
      return;
    }
    let written: number;
    try {
      written = this.writeNow(chunk);
    } catch (error) {
      return done(error as Error);
    }
    if (written === chunk.length) return done();
    this.queue.push({ chunk: Buffer.from(chunk.subarray(written)), done });
    this.retry(1);
  }

  /** Drops what is queued: nothing is written to the fd after this. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const { done } of this.queue.splice(0)) done(new LinkError('the pty is closed'));
  }

  /** Bytes the pty took now (0 when it is full). */
  private writeNow(chunk: Buffer): number {
    try {
      return writeSync(this.fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
      throw new LinkError(`writing the pty: ${(error as Error).message}`, { cause: error });
    }
  }

  private retry(pauseMs: number): void {
    this.timer = setTimeout(() => {
      let progressed = false;
      while (!this.stopped && this.queue.length > 0) {
        const head = this.queue[0]!;
        let written: number;
        try {
          written = this.writeNow(head.chunk);
        } catch (error) {
          this.queue.shift();
          head.done(error as Error);
          continue;
        }
        if (written > 0) progressed = true;
        if (written < head.chunk.length) {
          head.chunk = head.chunk.subarray(written);
          this.retry(progressed ? 1 : Math.min(pauseMs * 2, 16));
          return;
        }
        this.queue.shift();
        head.done();
      }
    }, pauseMs);
  }
}

/** `path` becomes a link to `device`; a link already there (a previous server's) is replaced. */
async function placeLink(path: string, device: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) {
    throw new LinkError(`cannot create the pty link ${path}: something other than a link is there`);
  }
  if (existing) await rm(path, { force: true });
  await symlink(device, path);
}

/** Remove the link if it still points at this pty (a newer server may have replaced it). */
async function removeLink(path: string, device: string): Promise<void> {
  const target = await readlink(path).catch(() => undefined);
  if (target === device) await rm(path, { force: true });
}

// ---------------------------------------------------------------------------------------------------
// socat

const READY_LIMIT_MS = 10_000;
const EXIT_LIMIT_MS = 3_000;

/**
 * socat owns the pty (`pty,raw,echo=0,link=PATH`) and relays its bytes over its stdio. It keeps the
 * pty across clients, and removes the link when it stops.
 */
async function openWithSocat(path: string): Promise<PseudoTerminal> {
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${path}`, 'STDIO'], { stdio: 'pipe' });
  let log = '';
  socat.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-2000);
  });
  const failed = new Promise<never>((_, reject) => {
    socat.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new LinkError(
          error.code === 'ENOENT'
            ? 'socat is not installed (apt-get install socat), and node-pty cannot open a pty here'
            : `socat: ${error.message}`,
        ),
      ),
    );
    socat.once('exit', (code) =>
      reject(new LinkError(`socat exited (code ${code}) before the pty was ready: ${log.trim()}`)),
    );
  });
  failed.catch(() => undefined);
  const deadline = performance.now() + READY_LIMIT_MS;
  let device: string | undefined;
  for (;;) {
    // socat logs "PTY is /dev/pts/N" and creates the link; both must be there before a client opens it.
    device = /PTY is (\S+)/.exec(log)?.[1];
    const ready =
      device !== undefined &&
      (await lstat(path).then(
        () => true,
        () => false,
      ));
    if (ready) break;
    if (performance.now() > deadline) {
      socat.kill('SIGKILL');
      throw new LinkError(`socat did not create the pty ${path} within ${READY_LIMIT_MS} ms: ${log.trim()}`);
    }
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 10))]);
  }
  socat.stdin.on('error', () => undefined);
  const stream = Duplex.from({ readable: socat.stdout, writable: socat.stdin });
  stream.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    path,
    device: device!,
    backend: 'socat',
    stream,
    close() {
      closing ??= (async () => {
        await stopSocat(socat);
        stream.destroy();
        await rm(path, { force: true });
      })();
      return closing;
    },
  };
}

async function stopSocat(socat: ChildProcessWithoutNullStreams): Promise<void> {
  if (socat.exitCode !== null || socat.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  socat.kill('SIGTERM');
  const timer = setTimeout(() => socat.kill('SIGKILL'), EXIT_LIMIT_MS);
  await exited;
  clearTimeout(timer);
}

/** A device's byte stream served on a pseudo-terminal: what `relayOnPseudoTerminal` returns. */
export interface PtyRelay {
  readonly pty: PseudoTerminal;
  /** Unhooks the stream and closes the pty; the stream and what feeds it stay the caller's. */
  stop(): Promise<void>;
}

/**
 * Join `device` (the host's end of a device's serial link) to a new pseudo-terminal at `path`, byte
 * for byte both ways, so any serial tool can open the device there. A link that ends (a fault such as
 * disconnect) leaves the pty silent, not gone.
 */
export async function relayOnPseudoTerminal(
  device: Duplex,
  path: string,
  options: PseudoTerminalOptions = {},
): Promise<PtyRelay> {
  const pty = await openPseudoTerminal(path, options);
  const toDevice = (chunk: Buffer) => {
    if (device.writable) device.write(chunk);
  };
  const toPty = (chunk: Buffer) => {
    if (pty.stream.writable) pty.stream.write(chunk);
  };
  pty.stream.on('data', toDevice);
  device.on('data', toPty);
  device.on('error', (error: Error) => options.log?.(`device link: ${error.message}`));
  pty.stream.on('error', (error: Error) => options.log?.(`pty ${pty.device}: ${error.message}`));
  let stopped: Promise<void> | undefined;
  return {
    pty,
    stop() {
      stopped ??= (async () => {
        device.off('data', toPty);
        pty.stream.off('data', toDevice);
        await pty.close();
      })();
      return stopped;
    },
  };
}
