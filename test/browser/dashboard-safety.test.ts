// The dashboard's safety in a real browser: a registry whose error body is HTML gets its markup
// shown as characters and never run; with Doctor:Api:Token the shell loads without it, the page
// asks for it once per tab, keeps it in sessionStorage and sends it only as a header (the event
// stream included), never in a URL; the shell is sent with a strict Content-Security-Policy; and
// the assets are served compressed, typed and cached, and open no way around the token.
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKUP_CODE, MARKUP_MESSAGE, startMarkupRegistry } from '../fakes/markup-registry.js';
import type { Running } from '../fakes/listen.js';
import { startBrowser, type RunningBrowser } from '../harness/browser.js';
import { loadTestEnv } from '../harness/test-env.js';
import { api, startService, type RunningService } from '../integration/service.js';
import { openPage } from './dashboard.js';

const env = loadTestEnv();
const PULL_CHECK = 'check.integration.oci.pull';
const TOKEN = `dashboard-token-${process.pid}-${Date.now()}`;

/** A GET whose body is left as sent (fetch would decompress it). */
function rawGet(
  url: string,
  acceptEncoding: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

let browser: RunningBrowser;
beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(() => browser?.close());

describe('a registry that answers with HTML in its error body', { timeout: 60_000 }, () => {
  let registry: Running;
  let server: RunningService;
  beforeAll(async () => {
    registry = await startMarkupRegistry();
    server = await startService({ OCI__RegistryUrl: registry.url });
  });
  afterAll(() => Promise.all([server?.stop(), registry?.close()]));

  it('has its <img onerror> and <script> shown as characters in the list, the diagnosis and the evidence, and never run', async () => {
    const { body: report } = await api(server.url, '/api/v1/doctor/run?wait=true', {
      body: { checks: [PULL_CHECK] },
    });
    const pull = report.results[0];
    expect(pull.diagnosis).toContain(MARKUP_CODE);
    expect(pull.evidence.registry_error_message).toBe(MARKUP_MESSAGE);
    const { page, problems } = await openPage(browser.browser);

    await page.goto(`${server.url}/ops/doctor?run=${report.runId}&check=${PULL_CHECK}`);

    const region = page.getByRole('region', { name: 'Remediation' });
    await expect.poll(() => region.locator('.diagnosis').textContent()).toContain(MARKUP_CODE);
    expect(await page.locator(`a[data-check-id="${PULL_CHECK}"] .result-diagnosis`).textContent()).toBe(pull.diagnosis);
    const evidenceRow = region.getByRole('row', { name: /registry_error_message/ });
    expect(await evidenceRow.getByRole('cell').textContent()).toBe(MARKUP_MESSAGE);
    expect(
      await region
        .getByRole('row', { name: /registry_error_code/ })
        .getByRole('cell')
        .textContent(),
    ).toBe(MARKUP_CODE);
    // Nothing of the markup became an element, and nothing of it ran.
    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
    expect(await page.evaluate('window.__injected')).toBeUndefined();
    expect(problems).toEqual([]);
  });
});

describe('with Doctor:Api:Token', { timeout: 60_000 }, () => {
  let server: RunningService;
  beforeAll(async () => {
    server = await startService({ Doctor__Api__Token: TOKEN, OCI__RegistryUrl: env.registries.open.url });
  });
  afterAll(() => server?.stop());

  it('the shell loads without the token and is sent with a strict Content-Security-Policy', async () => {
    const shell = await fetch(`${server.url}/ops/doctor`);
    const html = await shell.text();
    const csp = shell.headers.get('content-security-policy')!;

    expect(shell.status).toBe(200);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/i);
    for (const [, asset] of html.matchAll(/(?:src|href)="(\/ops\/doctor\/assets\/[^"]+)"/g)) {
      expect((await fetch(`${server.url}${asset}`)).status, asset).toBe(200);
    }
    expect((await api(server.url, '/api/v1/doctor/checks')).status).toBe(401);
  });

  it('serves each asset with its content type, a year of immutable caching and br or gzip as the client accepts', async () => {
    const html = await (await fetch(`${server.url}/ops/doctor`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/ops\/doctor\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    const types = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
    expect(assets.map((a) => a.split('.').pop()).sort()).toEqual(['css', 'js', 'svg']);
    for (const asset of assets) {
      const extension = asset.split('.').pop() as keyof typeof types;
      const brotli = await rawGet(`${server.url}${asset}`, 'gzip, deflate, br');
      const gzip = await rawGet(`${server.url}${asset}`, 'gzip');
      const plain = await rawGet(`${server.url}${asset}`, 'br;q=0, gzip;q=0');

      expect(brotli.headers['content-type']).toBe(types[extension]);
      expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotli.headers.vary).toBe('accept-encoding');
      expect(plain.headers['content-encoding']).toBeUndefined();
      if (extension !== 'svg') {
        expect(brotli.headers['content-encoding']).toBe('br');
        expect(gzip.headers['content-encoding']).toBe('gzip');
        expect(brotliDecompressSync(brotli.body)).toEqual(plain.body);
        expect(gunzipSync(gzip.body)).toEqual(plain.body);
      }
    }
    const shell = await rawGet(`${server.url}/ops/doctor`, 'br');
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect(shell.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await rawGet(`${server.url}/ops/doctor/assets/no-such.js`, '')).status).toBe(404);
    // Only a single file name under assets/ passes without the token: nothing reaches another route.
    for (const path of ['/ops/doctor/assets/..%2f..%2fapi/v1/doctor/checks', '/ops/doctor/assets/x/../../checks']) {
      expect((await rawGet(`${server.url}${path}`, '')).status, path).toBe(401);
    }
  });

  it('asks for the token once per tab, refuses a wrong one, keeps the right one in sessionStorage and sends it only as a header', async () => {
    const { context, page, requests, problems } = await openPage(browser.browser);
    await page.goto(`${server.url}/ops/doctor`);
    const input = page.getByLabel('API token');
    await input.waitFor();

    await input.fill(`${TOKEN}-wrong`);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => page.getByText('The server refused that token.').count()).toBe(1);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('a[data-check-id]').first().waitFor();
    await page.getByRole('button', { name: 'Export JSON' }).waitFor();

    expect(await page.evaluate(`sessionStorage.getItem('stella-doctor-token')`)).toBe(TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(requests.filter((r) => r.url.includes(TOKEN))).toEqual([]);
    const events = requests.filter((r) => /\/runs\/[^/]+\/events$/.test(new URL(r.url).pathname));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const apiCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    expect(apiCalls.filter((r) => r.headers.authorization === `Bearer ${TOKEN}`).length).toBeGreaterThan(3);
    // 401 answers to the requests made before and with the wrong token are expected console noise.
    expect(problems.filter((p) => !/401/.test(p))).toEqual([]);

    // Another tab of the same browser has its own sessionStorage: it asks again.
    const secondTab = await context.newPage();
    await secondTab.goto(`${server.url}/ops/doctor`);
    await secondTab.getByLabel('API token').waitFor();
    expect(await secondTab.evaluate(`sessionStorage.getItem('stella-doctor-token')`)).toBeNull();
    await context.close();
  });
});
