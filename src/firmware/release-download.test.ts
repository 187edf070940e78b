import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeDownloadServer,
  boardPage,
  releaseFileName,
  releaseUf2,
} from '../../test/support/fake-download-server.ts';
import { DownloadError, PicogcError, UsageError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { getRelease, type ReleaseRequest } from './release-download.ts';
import { resolveFirmware } from './resolve-firmware.ts';

/**
 * The downloader against a real HTTP server on 127.0.0.1 (test/support/fake-download-server.ts):
 * what micropython.org serves, and every way it can go wrong. No test touches the network.
 */

const RELEASES: [string, string][] = [
  ['20260406', 'v1.28.0'],
  ['20251209', 'v1.27.0'],
  ['20250911', 'v1.26.1'],
  // Each of these is served broken below.
  ['20250415', 'v1.25.0'],
  ['20241129', 'v1.24.1'],
  ['20240602', 'v1.23.0'],
  ['20240222', 'v1.22.2'],
  ['20231227', 'v1.22.0'],
  ['20231005', 'v1.21.0'],
];
const PREVIEW = 'RPI_PICO-20260601-v1.29.0-preview.45.g1a2b3c4d5.uf2';
const file = (tag: string) => releaseFileName('RPI_PICO', RELEASES.find(([, t]) => t === tag)![0], tag);
const good = releaseUf2('v1.28.0');

let server: FakeDownloadServer;
let cache: string;
let lines: string[];

function request(version: string, extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    version,
    env: { XDG_CACHE_HOME: cache, PICOGC_FIRMWARE_BASE_URL: server.url },
    log: (line) => lines.push(line),
    ...extra,
  };
}

const release = (tag: string) => `/resources/firmware/${file(tag)}`;

beforeAll(async () => {
  const v1_28 = release('v1.28.0');
  server = await FakeDownloadServer.start({
    '/download/RPI_PICO/': boardPage('RPI_PICO', [PREVIEW, ...RELEASES.map(([, tag]) => file(tag))]),
    [v1_28]: good,
    [release('v1.27.0')]: releaseUf2('v1.27.0'),
    [release('v1.26.1')]: releaseUf2('v1.26.1'),
    [`/resources/firmware/${PREVIEW}`]: releaseUf2('v1.29.0-preview.45.g1a2b3c4d5'),
    // Broken: a truncated file, another chip's image, another release inside, no MicroPython at
    // all, a transfer that breaks off, a missing file, a server error.
    [release('v1.25.0')]: releaseUf2('v1.25.0').subarray(0, 512 * 10 + 100),
    [release('v1.24.1')]: releaseUf2('v1.24.1', { family: 'rp2350-arm-s' }),
    [release('v1.23.0')]: releaseUf2('v1.23.1'),
    [release('v1.22.2')]: releaseUf2('v1.22.2', { omitBanner: true, omitUnameVersion: true }),
    [release('v1.22.0')]: { cutAfter: 5000, body: releaseUf2('v1.22.0') },
    [release('v1.21.0')]: { status: 500 },
    '/download/SLOW/': { hang: true },
  });
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'picogc-release-cache-'));
  lines = [];
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

async function failure(promise: Promise<unknown>): Promise<PicogcError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PicogcError);
  return error as PicogcError;
}

describe('getRelease: an official release into the cache', () => {
  it('finds the release on the board page, downloads it, verifies it and caches it', async () => {
    const before = server.requests.length;
    const got = await getRelease(request('v1.28.0'));
    const expectedPath = join(cache, 'picogc', 'firmware', 'RPI_PICO', 'v1.28.0.uf2');
    expect(got.path).toBe(expectedPath);
    expect(got.downloadedFrom).toBe(`${server.url}${release('v1.28.0')}`);
    expect(server.requests.slice(before)).toEqual(['/download/RPI_PICO/', release('v1.28.0')]);
    expect(Buffer.from(await readFile(expectedPath)).equals(Buffer.from(good))).toBe(true);
    expect(got.info.micropython?.version).toBe('v1.28.0');
    expect(got.info.family.name).toBe('rp2040');
    expect(lines).toEqual([
      `MicroPython v1.28.0 for RPI_PICO is not in the cache: downloading ${server.url}${release('v1.28.0')}`,
    ]);
    // Nothing else in the cache: the temporary file was renamed, not copied.
    expect(await filesUnder(cache)).toEqual(['v1.28.0.uf2']);
  });

  it('reuses the cached file, verified again, with no request at all (the server stopped)', async () => {
    await getRelease(request('v1.28.0'));
    const down = await FakeDownloadServer.start();
    await down.stop(); // nothing listens at its address any more
    lines = [];
    const again = await getRelease({
      ...request('v1.28.0'),
      env: { XDG_CACHE_HOME: cache, PICOGC_FIRMWARE_BASE_URL: down.url },
    });
    expect(again.downloadedFrom).toBeUndefined();
    expect(again.info.micropython?.version).toBe('v1.28.0');
    expect(down.requests).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('downloads again over a cached file that no longer verifies, and says so', async () => {
    const path = join(cache, 'picogc', 'firmware', 'RPI_PICO', 'v1.27.0.uf2');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, releaseUf2('v1.26.1')); // another release under this name
    const got = await getRelease(request('v1.27.0'));
    expect(got.downloadedFrom).toBeDefined();
    expect(got.info.micropython?.version).toBe('v1.27.0');
    expect(lines[0]).toMatch(
      /^the cached .*v1\.27\.0\.uf2 does not verify \(.*holds MicroPython v1\.26\.1.*\); removing it$/,
    );
  });

  it('puts a release of another board under its own id; XDG_CACHE_HOME decides the root', async () => {
    const other = await FakeDownloadServer.start({
      '/download/RPI_PICO_W/': boardPage('RPI_PICO_W', [
        releaseFileName('RPI_PICO_W', '20260406', 'v1.28.0'),
      ]),
      '/resources/firmware/RPI_PICO_W-20260406-v1.28.0.uf2': releaseUf2('v1.28.0', {
        machine: 'Raspberry Pi Pico W with RP2040',
      }),
    });
    try {
      const got = await getRelease({
        ...request('v1.28.0', { board: 'RPI_PICO_W' }),
        env: { XDG_CACHE_HOME: cache, PICOGC_FIRMWARE_BASE_URL: `${other.url}/` },
      });
      expect(got.path).toBe(join(cache, 'picogc', 'firmware', 'RPI_PICO_W', 'v1.28.0.uf2'));
      expect(got.info.micropython?.machine).toBe('Raspberry Pi Pico W with RP2040');
    } finally {
      await other.stop();
    }
  });
});

describe('getRelease: what is refused', () => {
  it.each([
    ['a truncated UF2', 'v1.25.0', /truncated: /],
    ['an RP2350 image', 'v1.24.1', /wrong-family: the image is for rp2350-arm-s .*the target takes rp2040/],
    [
      'another release inside',
      'v1.23.0',
      /holds MicroPython v1\.23\.1 on 2026-04-06, not the release v1\.23\.0/,
    ],
    [
      'no MicroPython version string',
      'v1.22.2',
      /holds no MicroPython version string, not the release v1\.22\.2/,
    ],
  ])('%s: a DownloadError (exit 3) naming the address, nothing cached', async (_label, tag, why) => {
    const error = await failure(getRelease(request(tag)));
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.exitCode).toBe(3);
    const url = `${server.url}${release(tag)}`;
    expect((error as DownloadError).url).toBe(url);
    expect(error.message).toMatch(why);
    expect(error.message).toContain(`refused the download, nothing was cached: ${url}: `);
    expect(error.message).not.toContain('\n');
    expect(await filesUnder(cache)).toEqual([]);
  });

  it('a transfer that breaks off: exit 3, nothing cached', async () => {
    const error = await failure(getRelease(request('v1.22.0')));
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      new RegExp(`^${escape(server.url + release('v1.22.0'))}: the transfer broke off after 5000 bytes: `),
    );
    expect(await filesUnder(cache)).toEqual([]);
  });

  it('an HTTP error: exit 3 with the address and the status', async () => {
    const error = await failure(getRelease(request('v1.21.0')));
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(`${server.url}${release('v1.21.0')}: HTTP 500 Internal Server Error`);
    const board = await failure(getRelease(request('v1.28.0', { board: 'NO_SUCH_BOARD' })));
    expect(board.exitCode).toBe(3);
    expect(board.message).toBe(
      `${server.url}/download/NO_SUCH_BOARD/: HTTP 404 Not Found (is NO_SUCH_BOARD a board id listed on micropython.org/download?)`,
    );
  });

  it('an unknown version: a UsageError (exit 2) listing the nearest releases on the page', async () => {
    const error = await failure(getRelease(request('v1.99.0')));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `v1.99.0 is not a release for RPI_PICO on ${server.url}/download/RPI_PICO/; ` +
        'nearest releases there: v1.28.0, v1.27.0, v1.26.1',
    );
  });

  it('never takes a preview build: v1.29.0 exists only as a preview, so it is not there', async () => {
    const before = server.requests.length;
    const error = await failure(getRelease(request('v1.29.0')));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('v1.29.0 is not a release for RPI_PICO');
    expect(server.requests.slice(before)).toEqual(['/download/RPI_PICO/']);
  });

  it('the server down: exit 3 naming the address', async () => {
    const down = await FakeDownloadServer.start();
    await down.stop();
    const error = await failure(
      getRelease({
        ...request('v1.28.0'),
        env: { XDG_CACHE_HOME: cache, PICOGC_FIRMWARE_BASE_URL: down.url },
      }),
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `cannot reach ${down.url}/download/RPI_PICO/: ECONNREFUSED (offline, or the server is down?)`,
    );
  });

  it('a server that never answers: exit 3 at the deadline, on the injected clock', async () => {
    const clock = new ManualClock();
    const pending = failure(getRelease(request('v1.28.0', { board: 'SLOW', clock, pageTimeoutMs: 30_000 })));
    while (!server.requests.includes('/download/SLOW/')) await new Promise((r) => setTimeout(r, 5));
    clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(1);
    const error = await pending;
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(`${server.url}/download/SLOW/: no complete answer within 30 s`);
  });

  it('refuses a malformed version or board before any request', async () => {
    const before = server.requests.length;
    expect((await failure(getRelease(request('1.28')))).exitCode).toBe(2);
    expect((await failure(getRelease(request('v1.28.0', { board: '../etc' })))).exitCode).toBe(2);
    expect(server.requests.length).toBe(before);
  });
});

describe('resolveFirmware', () => {
  it('leaves a path alone (no request), and turns a tag into its cached file', async () => {
    const before = server.requests.length;
    const env = { XDG_CACHE_HOME: cache, PICOGC_FIRMWARE_BASE_URL: server.url };
    expect(await resolveFirmware('build/firmware.uf2', { env })).toBe('build/firmware.uf2');
    expect(await resolveFirmware('./v1.28.0', { env })).toBe('./v1.28.0');
    expect(server.requests.length).toBe(before);
    const path = await resolveFirmware('v1.28.0', { env, log: (line) => lines.push(line) });
    expect(path).toBe(join(cache, 'picogc', 'firmware', 'RPI_PICO', 'v1.28.0.uf2'));
    expect(lines).toHaveLength(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
