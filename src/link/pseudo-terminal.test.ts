import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PTY_BACKEND_ROWS } from '../../test/support/pty-backends.ts';
import { LinkError } from '../errors.ts';
import { openPseudoTerminal, type PseudoTerminal } from './pseudo-terminal.ts';

/**
 * Both sources of a pseudo-terminal, against the real serialport bindings a client uses: node-pty
 * (npm, always there) and socat (the fallback; skipped with the reason where Debian's socat is
 * missing, required in CI).
 */

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
/** 300 kB, more than a pty holds (~64 kB): the writer must wait for the reader, in one thread. */
const BULK = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff));

function openClient(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115_200 }, (error) =>
      error ? reject(error) : resolve(port),
    );
  });
}

function closeClient(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

/** Collects a stream's bytes; `until(n)` waits until n have come (or fails after `limitMs`). */
function collector(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  return {
    bytes: () => Buffer.concat(chunks),
    clear: () => chunks.splice(0),
    async until(length: number, limitMs = 20_000): Promise<Buffer> {
      const deadline = performance.now() + limitMs;
      while (Buffer.concat(chunks).length < length) {
        if (performance.now() > deadline) {
          throw new Error(`received ${Buffer.concat(chunks).length} of ${length} bytes in ${limitMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Buffer.concat(chunks);
    },
  };
}

/** The files this process has open that are `target` (Linux /proc; [] elsewhere). */
function fdsOn(target: string): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picogc-pseudo-terminal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(PTY_BACKEND_ROWS)('a pseudo-terminal from %s', (_title, { backend, available }) => {
  let pty: PseudoTerminal | undefined;
  afterEach(async () => {
    await pty?.close();
    pty = undefined;
  });

  it.skipIf(!available)(
    'carries every byte value and 300 kB each way unchanged, to a client in this same process, across reopen',
    async () => {
      pty = await openPseudoTerminal(join(dir, 'pico'), { backend });
      expect(pty.backend).toBe(backend);
      expect(readlinkSync(pty.path)).toBe(pty.device);
      const fromClient = collector(pty.stream);
      for (const session of [1, 2]) {
        const client = await openClient(pty.path);
        try {
          const fromPty = collector(client);
          const sent = Buffer.concat([EVERY_BYTE, BULK]);
          pty.stream.write(EVERY_BYTE);
          pty.stream.write(BULK);
          client.write(EVERY_BYTE);
          client.write(BULK);
          expect((await fromPty.until(sent.length)).equals(sent), `session ${session}: pty → client`).toBe(
            true,
          );
          expect((await fromClient.until(sent.length)).equals(sent), `session ${session}: client → pty`).toBe(
            true,
          );
          fromClient.clear();
        } finally {
          await closeClient(client);
        }
      }
    },
  );

  it.skipIf(!available)('is raw before any client opens it: nothing written to it comes back', async () => {
    pty = await openPseudoTerminal(join(dir, 'pico'), { backend });
    const echoed = collector(pty.stream);
    pty.stream.write(Buffer.from('MicroPython v1.28.0\r\n>>> \nline\n'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(echoed.bytes().toString('latin1')).toBe('');
  });

  it.skipIf(!available)(
    'goes away on close: the link is removed, a client still holding it fails (EIO) and closes, the pty is released',
    async () => {
      const masters = fdsOn('/dev/ptmx').length;
      pty = await openPseudoTerminal(join(dir, 'pico'), { backend });
      const { path, device } = pty;
      if (backend === 'node-pty') expect(fdsOn('/dev/ptmx')).toHaveLength(masters + 1);
      const client = await openClient(path);
      const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.on('error', () => undefined);
      await pty.close();
      pty = undefined;
      expect(existsSync(path)).toBe(false);
      const written = await new Promise<Error | null | undefined>((resolve) => client.write('x', resolve));
      expect(written?.message).toMatch(/EIO/);
      await clientClosed;
      // Neither the master nor the slave stays open here (socat's were in socat).
      expect(fdsOn(device)).toEqual([]);
      expect(fdsOn('/dev/ptmx')).toHaveLength(masters);
      if (backend === 'socat') expect(spawnSync('pgrep', ['-f', `link=${path}`]).status).not.toBe(0);
    },
  );

  it.skipIf(!available)('comes back at the same path, as a rebooted board does', async () => {
    const path = join(dir, 'pico');
    const first = await openPseudoTerminal(path, { backend });
    await first.close();
    pty = await openPseudoTerminal(path, { backend });
    expect(readlinkSync(path)).toBe(pty.device);
    const client = await openClient(path);
    try {
      const fromPty = collector(client);
      pty.stream.write(Buffer.from('back\r\n'));
      expect((await fromPty.until(6)).toString('latin1')).toBe('back\r\n');
    } finally {
      await closeClient(client);
    }
  });
});

describe('openPseudoTerminal', () => {
  it('replaces a link left behind, and refuses to replace anything else', async () => {
    const path = join(dir, 'pico');
    const first = await openPseudoTerminal(path, { backend: 'node-pty' });
    // A second server at the same path (the first one's link is still there): its link wins.
    const second = await openPseudoTerminal(path, { backend: 'node-pty' });
    expect(readlinkSync(path)).toBe(second.device);
    await first.close(); // leaves the newer server's link alone
    expect(readlinkSync(path)).toBe(second.device);
    await second.close();
    expect(existsSync(path)).toBe(false);

    writeFileSync(path, 'a file the user keeps here');
    const error = await openPseudoTerminal(path, { backend: 'node-pty' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/something other than a link is there/);
  });

  it('names the missing directory', async () => {
    const error = await openPseudoTerminal(join(dir, 'nope', 'pico')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/its directory does not exist/);
  });

  it('takes the backend from PICOGC_PTY, and refuses an unknown one', async () => {
    const saved = process.env.PICOGC_PTY;
    try {
      process.env.PICOGC_PTY = 'node-pty';
      const pty = await openPseudoTerminal(join(dir, 'pico'));
      expect(pty.backend).toBe('node-pty');
      await pty.close();
      process.env.PICOGC_PTY = 'telnet';
      await expect(openPseudoTerminal(join(dir, 'pico'))).rejects.toThrow(
        /PICOGC_PTY must be one of node-pty, socat, not "telnet"/,
      );
    } finally {
      if (saved === undefined) delete process.env.PICOGC_PTY;
      else process.env.PICOGC_PTY = saved;
    }
  });
});
