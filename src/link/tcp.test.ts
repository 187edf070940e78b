import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError } from '../errors.ts';
import { RawRepl } from '../repl/raw-repl.ts';
import { ScriptedDevice, type ScriptedDeviceOptions } from '../../test/support/scripted-peer.ts';
import { openLink } from './open.ts';

/** A ser2net-style raw TCP export with a scripted board behind it. */
async function exporter(options: ScriptedDeviceOptions = {}) {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    new ScriptedDevice(socket, options);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { port, stop };
}

describe('tcp:// links', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('carries a raw-REPL session over raw TCP', async () => {
    const server = await exporter({ run: () => ({ stdout: 'over tcp\r\n' }) });
    stop = server.stop;
    const link = await openLink(`tcp://127.0.0.1:${server.port}`);
    expect(link.description).toBe(`tcp://127.0.0.1:${server.port}`);
    const repl = new RawRepl(link.stream);
    await repl.enter();
    expect(await repl.exec('print("over tcp")')).toMatchObject({
      stdout: 'over tcp\r\n',
      pasteMode: 'raw-paste',
    });
    repl.close();
    await link.close();
    expect(link.stream.destroyed).toBe(true);
  });

  it('turns a dropped connection mid-exec into a LinkError at once', { timeout: 5_000 }, async () => {
    const server = await exporter({ run: () => ({ disconnect: true }) });
    stop = server.stop;
    const link = await openLink(`tcp://127.0.0.1:${server.port}`);
    const repl = new RawRepl(link.stream);
    await repl.enter();
    const error = await repl.exec('go()', { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).disconnected).toBe(true);
    await link.close();
  });

  it('says the connection was refused and what to check', async () => {
    const server = await exporter();
    await server.stop(); // the port is now free: nothing listens there
    const error = await openLink(`tcp://127.0.0.1:${server.port}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/connection refused by tcp:\/\/127\.0\.0\.1:\d+: is ser2net/);
  });
});
