import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/**
 * Real processes for the nightly tests: `picogc` itself as a user runs it, `picogc sim --pty`
 * boards, and Debian's ser2net. Every child is tracked and killed by its pid at the end.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PICOGC = fileURLToPath(new URL('../../bin/picogc.js', import.meta.url));

const children = new Set<ChildProcess>();

/** Kill every child these helpers started that is still running (SIGKILL by pid), and wait. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      children.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Resolves when the process exits, with everything it printed. */
  done: Promise<Finished>;
}

/** Start `picogc ARGS…` (CI=true: plain progress lines, no colour). */
export function startPicogc(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [PICOGC, ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function picogc(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return startPicogc(args, env).done;
}

export interface SimBoard {
  path: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `picogc sim --pty --seed N [--path P] [--fault F]`: a virtual Pico on a pseudo-terminal. */
export async function startSimPty(options: {
  seed: number;
  path?: string;
  faults?: string[];
}): Promise<SimBoard> {
  const args = ['sim', '--pty', '--seed', String(options.seed)];
  if (options.path) args.push('--path', options.path);
  for (const fault of options.faults ?? []) args.push('--fault', fault);
  const child = spawn(process.execPath, [PICOGC, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stderr.resume();
  const path = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('picogc sim --pty printed no path within 20 s')), 20_000);
    child.once('exit', (code) =>
      reject(new Error(`picogc sim --pty exited (${code}) before printing its path`)),
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  return {
    path,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Ser2net {
  port: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Debian's ser2net exporting `device` as raw TCP on 127.0.0.1 (no telnet, no banner), configured
 * with YAML on its command line (-Y), in the foreground (-n), without UUCP locks (-u).
 */
export async function startSer2net(device: string): Promise<Ser2net> {
  const port = await freePort();
  const yaml = [
    'connection: &pico',
    `  accepter: tcp,127.0.0.1,${port}`,
    `  connector: serialdev,${device},115200n81,local`,
    '  options:',
    '    kickolduser: true',
  ];
  const child = spawn('ser2net', ['-n', '-u', ...yaml.flatMap((line) => ['-Y', line])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout.resume();
  child.stderr.resume();
  // Listening once a connection is accepted (and closed again at once).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ser2net exited with ${child.exitCode}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) throw new Error(`ser2net is not listening on ${port} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
      children.delete(child);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every line of a JSONL file, parsed: throws on any line that is not JSON. */
export function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
