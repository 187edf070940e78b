import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LinkError } from '../errors.ts';
import { VirtualPico, type VirtualPicoOptions } from './virtual-pico.ts';

export interface PtyServer {
  /** A path any serial tool can open as if it were a Pico (a symlink to the pty's /dev/pts/N). */
  path: string;
  /** VM replacements so far (see VirtualPico.resets). */
  readonly resets: number;
  close(): Promise<void>;
}

const READY_LIMIT_MS = 10_000;
const EXIT_LIMIT_MS = 3_000;

/**
 * A pseudo-terminal in front of a virtual Pico. socat owns the pty (`pty,raw,echo=0,link=PATH`) and
 * relays its bytes over its stdio, which this process joins to the virtual Pico's link. socat keeps
 * the pty across clients: a tool can open, close and reopen PATH. Output written while no client
 * has PATH open waits in the pty (a Pico's USB CDC would drop it); hosts drain before raw mode anyway.
 */
export async function servePty(options: VirtualPicoOptions & { path?: string } = {}): Promise<PtyServer> {
  const ownDir = options.path === undefined ? await mkdtemp(join(tmpdir(), 'picogc-sim-')) : undefined;
  const path = options.path ?? join(ownDir!, 'pico');
  const pico = await VirtualPico.start(options);
  let socat: ChildProcessWithoutNullStreams;
  try {
    socat = await startSocat(path);
  } catch (error) {
    await pico.close();
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw error;
  }
  socat.stdout.on('data', (chunk: Buffer) => pico.link.write(chunk));
  const toPty = (chunk: Buffer) => {
    if (socat.stdin.writable) socat.stdin.write(chunk);
  };
  pico.link.on('data', toPty);
  // A fault such as disconnect ends the link: the pty stays, silent, as an unplugged board's would not.
  pico.link.on('error', (error: Error) => options.log?.(`virtual Pico link: ${error.message}`));
  socat.stdin.on('error', () => undefined);

  let closed = false;
  return {
    path,
    get resets() {
      return pico.resets;
    },
    async close() {
      if (closed) return;
      closed = true;
      pico.link.off('data', toPty);
      await stopSocat(socat);
      await pico.close();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
      else await rm(path, { force: true });
    },
  };
}

async function startSocat(path: string): Promise<ChildProcessWithoutNullStreams> {
  await lstat(dirname(path)).catch(() => {
    throw new LinkError(`cannot create the pty link ${path}: its directory does not exist`);
  });
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
            ? 'socat is not installed (apt-get install socat)'
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
  for (;;) {
    // socat logs "PTY is /dev/pts/N" and creates the link; both must be there before a client opens it.
    const ready =
      /PTY is \S+/.test(log) &&
      (await lstat(path).then(
        () => true,
        () => false,
      ));
    if (ready) return socat;
    if (performance.now() > deadline) {
      socat.kill('SIGKILL');
      throw new LinkError(`socat did not create the pty ${path} within ${READY_LIMIT_MS} ms: ${log.trim()}`);
    }
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 10))]);
  }
}

async function stopSocat(socat: ChildProcessWithoutNullStreams): Promise<void> {
  if (socat.exitCode !== null || socat.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  socat.kill('SIGTERM');
  const timer = setTimeout(() => socat.kill('SIGKILL'), EXIT_LIMIT_MS);
  await exited;
  clearTimeout(timer);
}
