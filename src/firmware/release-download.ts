import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.ts';
import { DownloadError, InputError, UsageError } from '../errors.ts';
import type { FirmwareInfo } from './firmware-info.ts';
import {
  cachedReleasePath,
  checkBoardId,
  checkReleaseVersion,
  DEFAULT_RELEASE_BOARD,
} from './release-cache.ts';
import { boardPageUrl, httpGet } from './release-http.ts';
import { findRelease, nearestVersions, releaseLinks } from './release-page.ts';
import { verifyCachedRelease, verifyReleaseBytes } from './release-verify.ts';
import { UF2_MAX_FILE_SIZE } from './uf2-format.ts';

/**
 * An official MicroPython release for a board, as a verified file in the user's cache: taken from
 * the cache when it is there and still verifies (no network at all), else found on the board's
 * download page, downloaded next to where it will live, verified, and only then renamed into place,
 * so the cache never holds a partial or wrong image, even when two picogc processes fetch at once.
 */

export interface ReleaseRequest {
  /** `v1.28.0`. */
  version: string;
  /** micropython.org's board id; default `RPI_PICO`. */
  board?: string;
  /** XDG_CACHE_HOME, HOME and PICOGC_FIRMWARE_BASE_URL are read from here (default: the process's). */
  env?: NodeJS.ProcessEnv;
  /** One line each time the network is used (a download); nothing when the cache answers. */
  log?: (line: string) => void;
  clock?: Clock;
  /** Deadline of the board page; default 30 s. */
  pageTimeoutMs?: number;
  /** Deadline of the image (about 650 KB); default 5 min. */
  fileTimeoutMs?: number;
}

export interface Release {
  /** The verified file in the cache. */
  readonly path: string;
  readonly board: string;
  readonly version: string;
  /** The address it was downloaded from just now; absent when the cache had it. */
  readonly downloadedFrom?: string;
  /** The image as verified: sha256, family, the MicroPython build (whose version is `version`). */
  readonly info: FirmwareInfo;
}

const PAGE_MAX_BYTES = 4 * 1024 * 1024;

export async function getRelease(request: ReleaseRequest): Promise<Release> {
  const board = checkBoardId(request.board ?? DEFAULT_RELEASE_BOARD);
  const version = checkReleaseVersion(request.version);
  const env = request.env ?? process.env;
  const log = request.log ?? (() => undefined);
  const path = cachedReleasePath(board, version, env);

  const cached = await fromCache(path, version, log);
  if (cached) return { path, board, version, info: cached };

  const pageUrl = boardPageUrl(board, env);
  const page = await httpGet(pageUrl, {
    timeoutMs: request.pageTimeoutMs ?? 30_000,
    maxBytes: PAGE_MAX_BYTES,
    ...(request.clock ? { clock: request.clock } : {}),
    hint: (status) => (status === 404 ? ` (is ${board} a board id listed on micropython.org/download?)` : ''),
  });
  const links = releaseLinks(Buffer.from(page.bytes).toString('utf8'), pageUrl);
  const link = findRelease(links, version);
  if (!link) {
    const nearest = nearestVersions(
      links.map((l) => l.version),
      version,
    );
    throw new UsageError(
      `${version} is not a release for ${board} on ${pageUrl}` +
        (nearest.length > 0
          ? `; nearest releases there: ${nearest.join(', ')}`
          : '; the page links to no release .uf2 at all'),
    );
  }

  log(`MicroPython ${version} for ${board} is not in the cache: downloading ${link.url}`);
  const info = await download(link.url, path, version, request);
  return { path, board, version, downloadedFrom: link.url, info };
}

/** The cached file's facts when it is there and verifies; a bad one is removed, to be fetched again. */
async function fromCache(
  path: string,
  version: string,
  log: (line: string) => void,
): Promise<FirmwareInfo | undefined> {
  try {
    await stat(path);
  } catch {
    return undefined;
  }
  try {
    return await verifyCachedRelease(path, version);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    log(`the cached ${path} does not verify (${error.message}); removing it`);
    await rm(path, { force: true });
    return undefined;
  }
}

/** Into a temporary file beside `path`, verified from the disk, then renamed over `path`. */
async function download(
  url: string,
  path: string,
  version: string,
  request: ReleaseRequest,
): Promise<FirmwareInfo> {
  const dir = dirname(path);
  const temp = join(dir, `.${version}.uf2.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx');
    try {
      await httpGet(url, {
        timeoutMs: request.fileTimeoutMs ?? 300_000,
        maxBytes: UF2_MAX_FILE_SIZE,
        ...(request.clock ? { clock: request.clock } : {}),
        onChunk: async (chunk) => {
          await handle.write(chunk);
        },
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof DownloadError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(
      `cannot write the firmware cache ${dir}: ${code} (XDG_CACHE_HOME chooses where it is)`,
      { cause: error },
    );
  }
  let info: FirmwareInfo;
  try {
    info = verifyReleaseBytes(await readFile(temp), url, version);
  } catch (error) {
    await rm(temp, { force: true });
    if (!(error instanceof InputError)) throw error;
    throw new DownloadError(`refused the download, nothing was cached: ${error.message}`, url, {
      cause: error,
    });
  }
  try {
    await rename(temp, path); // atomic within one directory: readers see the old file or the new
  } catch (error) {
    await rm(temp, { force: true });
    throw new InputError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  return info;
}
