import { connect, type Socket } from 'node:net';
import { systemClock, unref, type Clock } from '../clock.ts';
import { LinkError } from '../errors.ts';
import type { Link } from './link.ts';

export interface TcpLinkOptions {
  connectTimeoutMs?: number;
  clock?: Clock;
}

/**
 * A board exported as raw TCP (ser2net `accepter: tcp,PORT` without telnet, labgrid's
 * exporter): bytes in, bytes out. A dropped connection ends the stream, which the REPL reports as
 * a LinkError at once.
 */
export async function openTcpLink(host: string, port: number, options: TcpLinkOptions = {}): Promise<Link> {
  const description = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      socket.destroy();
      reject(new LinkError(`could not connect to ${description} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clock.clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clock.clearTimeout(timer);
      reject(describeConnectError(description, error));
    });
  });
  // Small writes (one Ctrl-C, a flow-control window) must not wait for Nagle's algorithm.
  socket.setNoDelay(true);
  socket.on('error', () => {}); // surfaced to readers through 'close'; must not end the process
  return new TcpLink(socket, description, clock);
}

function describeConnectError(description: string, error: NodeJS.ErrnoException): LinkError {
  if (error.code === 'ECONNREFUSED') {
    return new LinkError(
      `connection refused by ${description}: is ser2net (or the exporter) running in raw mode on that port?`,
      { cause: error },
    );
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new LinkError(`unknown host in ${description}`, { cause: error });
  }
  return new LinkError(`could not connect to ${description}: ${error.message}`, { cause: error });
}

class TcpLink implements Link {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    readonly description: string,
    private readonly clock: Clock,
  ) {}

  readonly serialNumber = undefined;

  get stream(): Socket {
    return this.socket;
  }

  /** Flush what is queued, then close; resolves on the socket's 'close'. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.socket.closed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end(() => this.socket.destroy());
      // A peer that never acknowledges must not hold the close up.
      unref(this.clock.setTimeout(() => this.socket.destroy(), 1_000));
    });
    return this.closing;
  }
}
