import { systemClock, type Clock } from '../clock.ts';
import { DownloadError, UsageError } from '../errors.ts';
import { TOOL_VERSION } from '../version.ts';

/**
 * The HTTP side of fetching a release, on Node's own `fetch` (no dependency): every way a request
 * can fail becomes one `DownloadError` line that names the address (exit 3), and no request waits
 * longer than its deadline, on the injected clock.
 */

export const BASE_URL_ENV = 'PICOGC_FIRMWARE_BASE_URL';
export const DEFAULT_BASE_URL = 'https://micropython.org';

/** micropython.org, or the server `PICOGC_FIRMWARE_BASE_URL` names (a mirror, a test's local server). */
export function firmwareBaseUrl(env: NodeJS.ProcessEnv = process.env): URL {
  const text = env[BASE_URL_ENV] || DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${BASE_URL_ENV} must be an http(s) address, not ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${BASE_URL_ENV} must be an http(s) address, not ${JSON.stringify(text)}`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/'; // so a mirror's own path prefix is kept
  return url;
}

/** The page listing one board's builds: `https://micropython.org/download/RPI_PICO/`. */
export function boardPageUrl(board: string, env: NodeJS.ProcessEnv = process.env): string {
  return new URL(`download/${encodeURIComponent(board)}/`, firmwareBaseUrl(env)).href;
}

export interface HttpGetOptions {
  /** Deadline of the whole request, answer and body, in ms. */
  timeoutMs: number;
  /** Refuse a body longer than this (a board page is ~100 KB, an RP2040 image under 2 MB). */
  maxBytes: number;
  clock?: Clock;
  /** Appended to an HTTP error's line (e.g. what a 404 on a board page usually means). */
  hint?: (status: number) => string;
  /** Each chunk of the body as it arrives; without it the body is collected and returned. */
  onChunk?: (chunk: Uint8Array) => Promise<void>;
}

/** GET `url`; the body's bytes (none when `onChunk` took them) and how many there were. */
export async function httpGet(
  url: string,
  options: HttpGetOptions,
): Promise<{ bytes: Uint8Array; length: number }> {
  const clock = options.clock ?? systemClock;
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(), options.timeoutMs);
  let length = 0;
  const chunks: Uint8Array[] = [];
  try {
    let response: Response;
    try {
      response = await fetch(url, {
        signal: controller.signal,
        headers: { 'user-agent': `picogc/${TOOL_VERSION}` },
        redirect: 'follow',
      });
    } catch (error) {
      throw failure(url, error, controller.signal, options.timeoutMs, 'cannot reach');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const hint = options.hint?.(response.status) ?? '';
      throw new DownloadError(
        `${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${hint}`,
        url,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) throw tooLong(url, declared, options.maxBytes);
    try {
      // Node's web stream of the body yields Uint8Array chunks (typed as any where the DOM lib is absent).
      for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
        length += chunk.length;
        if (length > options.maxBytes) throw tooLong(url, length, options.maxBytes);
        if (options.onChunk) await options.onChunk(chunk);
        else chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      // The caller's own write failed (a full disk): not the transfer's fault, the caller says what it was.
      if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
      // The server or the network dropped the transfer part way: what arrived is never used.
      throw failure(url, error, controller.signal, options.timeoutMs, `broke off after ${length} bytes:`);
    }
  } finally {
    clock.clearTimeout(timer);
  }
  return { bytes: Buffer.concat(chunks), length };
}

function tooLong(url: string, bytes: number, max: number): DownloadError {
  return new DownloadError(`${url}: ${bytes} bytes is more than the ${max} expected; refused`, url);
}

/** One line for a request that failed below HTTP: a refused connection, a name not found, a deadline. */
function failure(
  url: string,
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  what: string,
): DownloadError {
  if (signal.aborted) {
    return new DownloadError(`${url}: no complete answer within ${timeoutMs / 1000} s`, url, {
      cause: error,
    });
  }
  // undici says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  const offline = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)$/.test(reason)
    ? ' (offline, or the server is down?)'
    : '';
  return what === 'cannot reach'
    ? new DownloadError(`cannot reach ${url}: ${reason}${offline}`, url, { cause: error })
    : new DownloadError(`${url}: the transfer ${what} ${reason}`, url, { cause: error });
}
