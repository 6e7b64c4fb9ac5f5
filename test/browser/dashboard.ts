// Helpers for the dashboard's browser tests: a page on a fresh context of the shared Chromium that
// records every request it makes, every console error and every Content-Security-Policy violation,
// the configuration file the service re-reads at each run, and the screenshot directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Every request the page made: URL and headers. */
  requests: Array<{ url: string; headers: Record<string, string> }>;
  /** Console errors, page errors and CSP violations. */
  problems: string[];
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  const page = await context.newPage();
  const requests: WatchedPage['requests'] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push({ url: request.url(), headers: request.headers() }));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A string, run in the page: this file is type-checked without the DOM's types.
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
    console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))`);
  return { context, page, requests, problems };
}

/** Writes the service's appsettings.json (read again at the start of every run). */
export function writeAppSettings(dir: string, settings: Record<string, unknown>): void {
  writeFileSync(join(dir, 'appsettings.json'), JSON.stringify(settings));
}

/** Where screenshots go: STELLA_SCREENSHOT_DIR (scripts/dashboard-screenshots.sh sets docs/screenshots), else a temp dir. */
export function screenshotDir(): string {
  const dir = process.env.STELLA_SCREENSHOT_DIR ?? join(tmpdir(), 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
