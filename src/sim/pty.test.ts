import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { PTY_BACKEND_ROWS } from '../../test/support/pty-backends.ts';
import { servePty, type PtyServer } from './pty.ts';
import { TEXT } from '../protocol/raw-repl-vocabulary.ts';
import { ReplDriver } from './testing.ts';

const CLI = fileURLToPath(new URL('../../bin/picogc.js', import.meta.url));

async function open(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}

async function close(port: SerialPort): Promise<void> {
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Raw REPL over a real serial port: enter, one classic exec, one raw-paste exec. */
async function talk(path: string, value: number): Promise<void> {
  const port = await open(path);
  try {
    const repl = new ReplDriver(port, 15_000);
    await repl.enterRaw();
    expect(await repl.exec(`print(${value}*7)`)).toEqual({ stdout: `${value * 7}\r\n`, stderr: '' });
    expect(await repl.execPaste('import machine\nprint(len(machine.unique_id()))')).toMatchObject({
      stdout: '8\r\n',
      stderr: '',
    });
  } finally {
    await close(port);
  }
}

let server: PtyServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function socatRunning(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ps = spawn('pgrep', ['-f', `link=${path}`]);
    ps.on('exit', (code) => resolve(code === 0));
  });
}

describe.each(PTY_BACKEND_ROWS)('servePty on a pty from %s', (_title, { backend, available }) => {
  it.skipIf(!available)(
    'serves the Pico protocol to the real serialport bindings, across reopen, and cleans up',
    async () => {
      server = await servePty({ seed: 3, backend });
      expect(server.backend).toBe(backend);
      expect(existsSync(server.path)).toBe(true);
      await talk(server.path, 6);
      await talk(server.path, 11); // a second client after the first closed the port
      const path = server.path;
      await server.close();
      server = undefined;
      expect(existsSync(path)).toBe(false);
      expect(await socatRunning(path)).toBe(false);
    },
  );

  it.skipIf(!available)('soft reset over the pty', async () => {
    server = await servePty({ backend });
    const port = await open(server.path);
    try {
      const repl = new ReplDriver(port, 15_000);
      await repl.enterRaw();
      repl.write('\x04');
      expect(await repl.until(TEXT.RAW_BANNER_PROMPT)).toBe(
        `OK\r\nMPY: soft reboot\r\n${TEXT.RAW_BANNER_PROMPT}`,
      );
    } finally {
      await close(port);
    }
  });
});

describe('picogc sim --pty', () => {
  it('prints the pty path first, serves it, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'sim', '--pty', '--seed', '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const path = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const newline = out.indexOf('\n');
          if (newline >= 0) resolve(out.slice(0, newline));
        });
        child.on('exit', () => reject(new Error(`picogc sim exited before printing a path: ${out}`)));
        setTimeout(() => reject(new Error('no pty path within 20 s')), 20_000);
      });
      expect(path).toMatch(/^\/.*pico$/);
      await talk(path, 3);
      expect(err).toContain('(a pty from node-pty)'); // npm's, no system package
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(path)).toBe(false);
      expect(await socatRunning(path)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);

  it('rejects a bad --heap with exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, 'sim', '--pty', '--heap', 'lots'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain(
      "picogc: UsageError: option '--heap <bytes>' argument 'lots' is invalid. expected a whole number",
    );
  }, 30_000);
});
