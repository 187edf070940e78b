import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FakeDownloadServer,
  boardPage,
  releaseFileName,
  releaseUf2,
} from '../../../test/support/fake-download-server.ts';
import { InProcessCli } from '../../../test/support/in-process-cli.ts';

/**
 * `picogc firmware get` and a release tag where a UF2 is named (`firmware info v1.28.0`,
 * `--firmware v1.28.0`), against a stand-in for micropython.org on 127.0.0.1. The steps build on
 * each other: the first downloads, the later ones find the cache with the server stopped.
 */

const cli = new InProcessCli();
const V1_28 = releaseFileName('RPI_PICO', '20260406', 'v1.28.0');
const image = releaseUf2('v1.28.0');
let server: FakeDownloadServer;
let cache: string;
let cached: string;

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'picogc-firmware-get-'));
  cached = join(cache, 'picogc', 'firmware', 'RPI_PICO', 'v1.28.0.uf2');
  server = await FakeDownloadServer.start({
    '/download/RPI_PICO/': boardPage('RPI_PICO', [
      'RPI_PICO-20260601-v1.29.0-preview.45.g1a2b3c4d5.uf2',
      V1_28,
      releaseFileName('RPI_PICO', '20251209', 'v1.27.0'),
    ]),
    [`/resources/firmware/${V1_28}`]: image,
    // v1.27.0 is on the page, but its file is another release: refused.
    [`/resources/firmware/${releaseFileName('RPI_PICO', '20251209', 'v1.27.0')}`]: releaseUf2('v1.26.0'),
  });
});
beforeEach(() => {
  vi.stubEnv('XDG_CACHE_HOME', cache);
  vi.stubEnv('PICOGC_FIRMWARE_BASE_URL', server.url);
  return () => vi.unstubAllEnvs();
});
afterAll(async () => {
  await server.stop().catch(() => undefined);
  await rm(cache, { recursive: true, force: true });
});

describe('picogc firmware get', () => {
  it('downloads, verifies and caches the release; prints its path; exit 0', async () => {
    expect(await cli.run('firmware', 'get', 'v1.28.0')).toBe(0);
    expect(cli.stdout).toBe(`${cached}\n`);
    const url = `${server.url}/resources/firmware/${V1_28}`;
    expect(cli.stderr).toBe(
      `picogc: MicroPython v1.28.0 for RPI_PICO is not in the cache: downloading ${url}\n` +
        'picogc: downloaded and verified: MicroPython v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel) ' +
        `for RPI_PICO, sha256 ${createHash('sha256').update(image).digest('hex')}\n`,
    );
    expect(Buffer.from(await readFile(cached)).equals(Buffer.from(image))).toBe(true);
  });

  it('an unknown version: exit 2, one line with the nearest releases', async () => {
    expect(await cli.run('firmware', 'get', 'v1.30.0')).toBe(2);
    expect(cli.stderr).toBe(
      `picogc: UsageError: v1.30.0 is not a release for RPI_PICO on ${server.url}/download/RPI_PICO/; ` +
        'nearest releases there: v1.28.0, v1.27.0\n',
    );
    expect(cli.stdout).toBe('');
  });

  it('a download that is another release: exit 3, nothing cached', async () => {
    expect(await cli.run('firmware', 'get', 'v1.27.0')).toBe(3);
    expect(cli.stderr).toMatch(
      /\npicogc: DownloadError: refused the download, nothing was cached: http:\/\/127\.0\.0\.1:\d+\/resources\/firmware\/RPI_PICO-20251209-v1\.27\.0\.uf2: the image holds MicroPython v1\.26\.0 on 2026-04-06, not the release v1\.27\.0\n$/,
    );
    await expect(readFile(join(cache, 'picogc', 'firmware', 'RPI_PICO', 'v1.27.0.uf2'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('a malformed version: exit 2 before any request', async () => {
    const before = server.requests.length;
    expect(await cli.run('firmware', 'get', '1.28')).toBe(2);
    expect(cli.stderr).toBe(
      'picogc: UsageError: a MicroPython release is named by its tag, e.g. v1.28.0, not "1.28"\n',
    );
    expect(server.requests.length).toBe(before);
  });

  describe('with the server stopped', () => {
    beforeAll(async () => {
      await server.stop();
    });

    it('firmware get: the cached release, no request; exit 0', async () => {
      const before = server.requests.length;
      expect(await cli.run('firmware', 'get', 'v1.28.0', '--json')).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({
        path: cached,
        board: 'RPI_PICO',
        version: 'v1.28.0',
        firmware: { schema: 'picogc.firmware/1', micropython: { version: 'v1.28.0' } },
      });
      expect(cli.stdout).not.toContain('downloadedFrom');
      expect(server.requests.length).toBe(before);
    });

    it('firmware info v1.28.0 reads the cached file', async () => {
      expect(await cli.run('firmware', 'info', 'v1.28.0')).toBe(0);
      expect(cli.stderr).toBe('');
      expect(cli.stdout).toMatch(new RegExp(`^file +${cached.replace(/[.]/g, '\\.')} \\(`, 'm'));
      expect(cli.stdout).toMatch(/^micropython +v1\.28\.0 on 2026-04-06/m);
    });

    it('--device emu --firmware v1.28.0 gets the cached image to the emulator inputs (the boot ROM is next)', async () => {
      const rom = join(cache, 'no-such-rom.bin');
      expect(
        await cli.run('exec', '--device', 'emu', '--firmware', 'v1.28.0', '--bootrom', rom, 'print(1)'),
      ).toBe(2);
      // The image was resolved and verified; what stops the run is the missing boot ROM, not the tag.
      expect(cli.stderr).toBe(`picogc: InputError: cannot read ${rom}: ENOENT\n`);
    });

    it('loadEmuInputs takes a tag from a program too (the device layer resolves it the same way)', async () => {
      const { loadEmuInputs } = await import('../../device/open-emu.ts');
      const rom = join(cache, 'no-such-rom.bin');
      await expect(loadEmuInputs({ firmware: 'v1.28.0', bootrom: rom })).rejects.toThrow(
        `cannot read ${rom}: ENOENT`,
      );
      await expect(loadEmuInputs({ firmware: 'v1.26.0', bootrom: rom })).rejects.toThrow(/cannot reach/);
    });

    it('a release that is not cached: exit 3, one line naming the address', async () => {
      expect(await cli.run('firmware', 'get', 'v1.26.0')).toBe(3);
      expect(cli.stderr).toBe(
        `picogc: DownloadError: cannot reach ${server.url}/download/RPI_PICO/: ECONNREFUSED (offline, or the server is down?)\n`,
      );
      expect(
        await cli.run('validate', '--device', 'emu', '--firmware', 'v1.26.0', '--bootrom', 'rom.bin'),
      ).toBe(3);
      // Resolved before any target is opened: one line, no run directory for an unreached board.
      expect(cli.stderr).toBe(
        `picogc: DownloadError: cannot reach ${server.url}/download/RPI_PICO/: ECONNREFUSED (offline, or the server is down?)\n`,
      );
    });
  });
});
