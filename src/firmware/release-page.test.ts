import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardPage } from '../../test/support/fake-download-server.ts';
import { cachedReleasePath, firmwareCacheDir } from './release-cache.ts';
import { boardPageUrl, firmwareBaseUrl } from './release-http.ts';
import { findRelease, isReleaseVersion, nearestVersions, releaseLinks } from './release-page.ts';

const PAGE = 'https://micropython.org/download/RPI_PICO/';

describe('releaseLinks: the release UF2s a board page links to', () => {
  it('takes releases with their dates, resolves site-relative links, skips previews and other files', () => {
    const html = boardPage('RPI_PICO', [
      'RPI_PICO-20260601-v1.29.0-preview.45.g1a2b3c4d5.uf2',
      'RPI_PICO-20260406-v1.28.0.uf2',
      'RPI_PICO-20260320-v1.28.0-preview.300.gdeadbeef.uf2',
      'rp2-pico-20210202-v1.14.uf2',
    ]);
    expect(releaseLinks(html, PAGE)).toEqual([
      {
        version: 'v1.28.0',
        date: '20260406',
        url: 'https://micropython.org/resources/firmware/RPI_PICO-20260406-v1.28.0.uf2',
      },
      {
        version: 'v1.14',
        date: '20210202',
        url: 'https://micropython.org/resources/firmware/rp2-pico-20210202-v1.14.uf2',
      },
    ]);
  });

  it('reads single-quoted, unquoted and absolute hrefs, each address once; a name must end in the tag', () => {
    const html = [
      `<a href='/resources/firmware/RPI_PICO-20251209-v1.27.0.uf2'>x</a>`,
      `<a href=/resources/firmware/RPI_PICO-20251209-v1.27.0.uf2>same</a>`,
      `<A HREF="https://mirror.example/fw/RPI_PICO-20250911-v1.26.1.uf2">y</A>`,
      `<a href="/resources/firmware/RPI_PICO-20250911-v1.26.1.uf2.sha256">not an image</a>`,
      `<a href="/resources/firmware/RPI_PICO-v1.26.0.uf2">no date</a>`,
      `<a href="/resources/firmware/RPI_PICO-20250911-v1.26.0-dirty.uf2">not a release</a>`,
    ].join('\n');
    expect(releaseLinks(html, PAGE).map((link) => link.url)).toEqual([
      'https://micropython.org/resources/firmware/RPI_PICO-20251209-v1.27.0.uf2',
      'https://mirror.example/fw/RPI_PICO-20250911-v1.26.1.uf2',
    ]);
  });

  it('findRelease: the exact tag only (v1.2.0 is not v1.20.0), the newest build of a rebuilt one', () => {
    const links = releaseLinks(
      boardPage('RPI_PICO', [
        'RPI_PICO-20230426-v1.20.0.uf2',
        'RPI_PICO-20230101-v1.2.0.uf2',
        'RPI_PICO-20230501-v1.20.0.uf2',
      ]),
      PAGE,
    );
    expect(findRelease(links, 'v1.20.0')?.date).toBe('20230501');
    expect(findRelease(links, 'v1.2.0')?.date).toBe('20230101');
    expect(findRelease(links, 'v1.20.1')).toBeUndefined();
  });
});

describe('nearestVersions', () => {
  const versions = ['v1.28.0', 'v1.27.0', 'v1.26.1', 'v1.26.0', 'v1.25.0', 'v1.24.1', 'v1.24.0', 'v1.14'];
  it('lists the closest releases, newest first', () => {
    expect(nearestVersions(versions, 'v1.24.9')).toEqual(['v1.25.0', 'v1.24.1', 'v1.24.0']);
    expect(nearestVersions(versions, 'v1.99.0')).toEqual(['v1.28.0', 'v1.27.0', 'v1.26.1']);
    expect(nearestVersions(versions, 'v1.0.0', 2)).toEqual(['v1.24.0', 'v1.14']);
    expect(nearestVersions([], 'v1.28.0')).toEqual([]);
  });
});

describe('release names and where they are kept', () => {
  it('a release tag has three numbers and nothing else', () => {
    expect(['v1.28.0', 'v10.0.12'].map(isReleaseVersion)).toEqual([true, true]);
    expect(['1.28.0', 'v1.28', 'v1.28.0-preview', 'v1.28.0.uf2', './v1.28.0'].map(isReleaseVersion)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('the cache follows XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    expect(firmwareCacheDir({ XDG_CACHE_HOME: '/var/cache/me', HOME: '/home/me' })).toBe(
      join('/var/cache/me', 'picogc', 'firmware'),
    );
    expect(firmwareCacheDir({ HOME: '/home/me' })).toBe(join('/home/me', '.cache', 'picogc', 'firmware'));
    expect(firmwareCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/me' })).toBe(
      join('/home/me', '.cache', 'picogc', 'firmware'),
    );
    expect(cachedReleasePath('RPI_PICO', 'v1.28.0', { XDG_CACHE_HOME: '/c' })).toBe(
      join('/c', 'picogc', 'firmware', 'RPI_PICO', 'v1.28.0.uf2'),
    );
  });

  it('refuses a board or version that is no name (a path, a preview) with a usage error', () => {
    expect(() => cachedReleasePath('../x', 'v1.28.0', {})).toThrow(/--board must be a MicroPython board id/);
    expect(() => cachedReleasePath('rpi_pico', 'v1.28.0', {})).toThrow(/--board/);
    expect(() => cachedReleasePath('RPI_PICO', 'v1.28.0-preview.1.gabc', {})).toThrow(/e\.g\. v1\.28\.0/);
  });

  it('the board page is under PICOGC_FIRMWARE_BASE_URL (a mirror keeps its path), default micropython.org', () => {
    expect(boardPageUrl('RPI_PICO', {})).toBe('https://micropython.org/download/RPI_PICO/');
    expect(boardPageUrl('RPI_PICO', { PICOGC_FIRMWARE_BASE_URL: 'http://127.0.0.1:8080/mp' })).toBe(
      'http://127.0.0.1:8080/mp/download/RPI_PICO/',
    );
    expect(() => firmwareBaseUrl({ PICOGC_FIRMWARE_BASE_URL: 'ftp://x' })).toThrow(/http\(s\) address/);
    expect(() => firmwareBaseUrl({ PICOGC_FIRMWARE_BASE_URL: 'not a url' })).toThrow(/http\(s\) address/);
  });
});
