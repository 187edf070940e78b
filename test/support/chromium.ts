import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { toolStatus, type SystemTool, type ToolStatus } from './system-tools.ts';

/**
 * Debian's real headless Chromium driven by playwright-core (which never downloads a browser), for
 * tests that open picogc's HTML reports the way a user would. The browser gets a fresh profile and
 * no network: every request other than the page file itself is aborted and recorded, as are
 * console errors (CSP violations show up there), uncaught page errors and any dialog, so a test
 * can assert that a report loads nothing, logs nothing and runs nothing.
 */

export const CHROMIUM_PATH = process.env.PICOGC_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumStatus = ToolStatus;

/** Debian's Chromium, as a system tool (test/support/system-tools.ts). */
export function chromiumTool(path = CHROMIUM_PATH): SystemTool {
  return { name: 'Chromium', command: path, debianPackage: 'chromium', versionArgs: ['--version'] };
}

/**
 * Whether the browser can be used here. Without it, tests skip with the returned reason, except in
 * CI (the CI variable set), where a missing browser is an error: a CI job must not pass by skipping.
 */
export function chromiumStatus(path = CHROMIUM_PATH): ChromiumStatus {
  return toolStatus(chromiumTool(path));
}

export interface PageProblems {
  /** console.error messages, including Content-Security-Policy violations. */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** alert/confirm/prompt/beforeunload: a report must never open one. */
  dialogs: string[];
  /** Requests that failed (other than the ones this helper aborted on purpose). */
  failedRequests: string[];
  /** Requests the page tried to make besides loading itself: a self-contained report makes none. */
  blockedRequests: string[];
}

export interface OpenedPage {
  page: Page;
  problems: PageProblems;
  /** Every recorded problem as one line each; empty for a clean page. */
  failures(): string[];
  screenshot(path: string, options?: { fullPage?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** Deadline for launching, loading and each page action, ms (default 30 s). */
  timeoutMs?: number;
}

/** One browser with a fresh profile; open several report files in it, each on its own page. */
export interface ChromiumSession {
  open(file: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  const timeout = options.timeoutMs ?? 30_000;
  const profile = mkdtempSync(join(tmpdir(), 'picogc-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      timeout,
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const blank = context.pages()[0];
  return {
    open: async (file) => {
      const page =
        blank && blank.url() === 'about:blank' && !blank.isClosed() ? blank : await context.newPage();
      return watchAndLoad(page, file, timeout);
    },
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Launch, open one file; closing the page closes the browser too. */
export async function openFileInChromium(file: string, options: LaunchOptions = {}): Promise<OpenedPage> {
  const session = await launchChromium(options);
  try {
    const opened = await session.open(file);
    return { ...opened, close: () => session.close() };
  } catch (error) {
    await session.close();
    throw error;
  }
}

async function watchAndLoad(page: Page, file: string, timeout: number): Promise<OpenedPage> {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    failedRequests: [],
    blockedRequests: [],
  };
  const pageUrl = pathToFileURL(file).href;
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === pageUrl) return route.continue();
    problems.blockedRequests.push(url);
    return route.abort('blockedbyclient');
  });
  page.setDefaultTimeout(timeout);
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => undefined); // the page may already be gone
  });
  page.on('requestfailed', (r) => {
    if (!problems.blockedRequests.includes(r.url())) {
      problems.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`);
    }
  });
  await page.goto(pageUrl, { waitUntil: 'load', timeout });
  return {
    page,
    problems,
    failures: () => [
      ...problems.consoleErrors.map((m) => `console error: ${m}`),
      ...problems.pageErrors.map((m) => `page error: ${m}`),
      ...problems.dialogs.map((m) => `dialog: ${m}`),
      ...problems.failedRequests.map((m) => `failed request: ${m}`),
      ...problems.blockedRequests.map((m) => `request attempted: ${m}`),
    ],
    screenshot: (path, opts) =>
      page.screenshot({ path, fullPage: opts?.fullPage ?? true, animations: 'disabled' }),
    close: () => page.close(),
  };
}
