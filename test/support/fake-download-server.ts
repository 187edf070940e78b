import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fakeMicroPythonImage,
  writeUf2,
  type FakeMicroPythonImageOptions,
} from '../../src/firmware/uf2-writer.ts';

/**
 * A stand-in for micropython.org's download area on 127.0.0.1, so the release downloader is tested
 * against a real HTTP server with no network: a board page shaped like the real one and the files
 * it links to. Every request is logged, so a test can show that none was made.
 *
 *     const server = await FakeDownloadServer.start({ '/download/RPI_PICO/': boardPage([...]) });
 *     process.env.PICOGC_FIRMWARE_BASE_URL = server.url;
 */

/** What a path answers: a body (200), a status, a hang (headers never come), or a body cut short. */
export type Route =
  string | Uint8Array | { status: number } | { hang: true } | { cutAfter: number; body: Uint8Array };

export class FakeDownloadServer {
  readonly requests: string[] = [];
  readonly routes = new Map<string, Route>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(routes: Record<string, Route> = {}): Promise<FakeDownloadServer> {
    const holder: { self?: FakeDownloadServer } = {};
    const server = createServer((request, response) => holder.self!.answer(request.url ?? '', response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const self = new FakeDownloadServer(server, `http://127.0.0.1:${port}`);
    for (const [path, route] of Object.entries(routes)) self.routes.set(path, route);
    holder.self = self;
    return self;
  }

  /** Stop listening and drop every connection (a hung request included): the server is down. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(path: string, response: import('node:http').ServerResponse): void {
    this.requests.push(path);
    const route = this.routes.get(path);
    if (route === undefined) {
      response.writeHead(404, 'Not Found').end('not found');
    } else if (typeof route === 'string') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(route);
    } else if (route instanceof Uint8Array) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(route);
    } else if ('status' in route) {
      response.writeHead(route.status).end();
    } else if ('hang' in route) {
      // never answers; stop() or the client's deadline ends it
    } else {
      // Promise the whole body, send part of it, then drop the connection.
      response.writeHead(200, { 'content-length': String(route.body.length) });
      response.write(route.body.subarray(0, route.cutAfter), () => response.socket?.destroy());
    }
  }
}

/** A release UF2 for an RP2040 as the test wants it (a real build's strings, 16 KiB of flash). */
export function releaseUf2(
  version: string,
  options: FakeMicroPythonImageOptions & { family?: number | 'rp2040' | 'rp2350-arm-s' } = {},
): Uint8Array {
  const { family, ...image } = options;
  return writeUf2(fakeMicroPythonImage({ size: 16 * 1024, version, ...image }), {
    ...(family === undefined ? {} : { family }),
  });
}

/** The firmware file name micropython.org gives a build: `RPI_PICO-20260406-v1.28.0.uf2`. */
export function releaseFileName(board: string, date: string, tag: string): string {
  return `${board}-${date}-${tag}.uf2`;
}

/**
 * A board page shaped like micropython.org's: preview builds first, then releases (each with its
 * release notes link), links to other pages and formats around them. Hrefs are site-relative, as there.
 */
export function boardPage(board: string, files: readonly string[]): string {
  const items = files
    .map(
      (name) =>
        `<li><a href="/resources/firmware/${name}"><strong>${name.replace(/\.uf2$/, '')}</strong> .uf2</a>\n` +
        `  [<a href="https://github.com/micropython/micropython/releases/tag/x">Release notes</a>]</li>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html><head><title>MicroPython - ${board}</title><link rel="stylesheet" href="/static/css/main.css"></head>
<body><nav><a href='/'>home</a> <a href=/download/>download</a></nav>
<h1>Raspberry Pi Pico</h1><img src="/resources/board-images/${board}.jpg">
<h2>Firmware</h2><ul>
${items}
</ul>
<a href="/resources/firmware/${board}-20200101-v0.1.0.elf">an .elf is not a .uf2</a>
</body></html>`;
}
