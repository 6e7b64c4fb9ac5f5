// The dashboard in a real browser (Chromium via playwright-core) against the real service and a
// real registry: a run started from the page and watched to the end, the remediation panel of a
// failing check, the environment tabs by keyboard, Copy and the clipboard, Verify after the
// configuration file is fixed, history, deep links, exports, accessibility in both themes and the
// first-load size. The tests run in order and share one service, one registry and one browser.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayingProxy } from '../fakes/delaying-proxy.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { startBrowser, type RunningBrowser } from '../harness/browser.js';
import { loadTestEnv } from '../harness/test-env.js';
import { api, startService, type RunningService } from '../integration/service.js';
import { openPage, screenshotDir, writeAppSettings, type WatchedPage } from './dashboard.js';

const env = loadTestEnv();
const REGISTRY_CHECK = 'check.integration.oci.registry';
const FIRST_LOAD_BUDGET_BYTES = 100 * 1024;
/** Each registry request waits this long, so the checks of a run finish one after another. */
const REQUEST_DELAY_MS = 250;

let browser: RunningBrowser;
let server: RunningService;
let proxy: Running;
let deadUrl: string;
let view: WatchedPage;
const runIds: string[] = [];

const row = (checkId: string) => view.page.locator(`a[data-check-id="${checkId}"]`);
const panel = () => view.page.getByRole('region', { name: 'Remediation' });

async function waitForRunToFinish(): Promise<string> {
  await view.page.getByRole('button', { name: 'Export JSON' }).waitFor();
  const runId = new URL(view.page.url()).searchParams.get('run')!;
  expect(runId).toBeTruthy();
  return runId;
}

beforeAll(async () => {
  [browser, server, proxy] = await Promise.all([
    startBrowser(),
    startService(),
    startDelayingProxy(env.registries.open.url, REQUEST_DELAY_MS),
  ]);
  // A port that was free a moment ago: nothing listens there.
  const closed = await listenLocal(net.createServer());
  await closed.close();
  deadUrl = closed.url;
  writeAppSettings(server.dir, { OCI: { RegistryUrl: proxy.url } });
  view = await openPage(browser.browser);
  await view.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop(), proxy?.close()]);
});

describe('the dashboard in Chromium', { timeout: 60_000 }, () => {
  it('a run started with Run shows its progress, each check as it completes, and the summary of the finished run', async () => {
    const { page } = view;
    const opened = Date.now();
    await page.goto(`${server.url}/ops/doctor`);
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await expect.poll(() => run.isEnabled()).toBe(true);
    const ready = Date.now();
    // Records, as the page changes, whether the progress bar and the running check's name were on
    // screen, and how many results the list held while the bar was shown.
    await page.evaluate(`(() => {
      const seen = (window.__seen = { bar: false, runningName: '', partial: [] });
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        const rows = document.querySelectorAll('a[data-check-id]').length;
        const label = document.querySelector('.progress label')?.textContent ?? '';
        if (bar) seen.bar = true;
        if (/running /.test(label)) seen.runningName = label;
        if (bar && rows > 0 && rows < Number(bar.max) && !seen.partial.includes(rows)) seen.partial.push(rows);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    const clicked = Date.now();
    await run.click();
    await page.locator('a[data-check-id]').first().waitFor();
    const firstResult = Date.now();
    const runId = await waitForRunToFinish();
    runIds.push(runId);
    console.log(
      `from opening the page: ${ready - opened} ms to a usable Run button, ` +
        `${firstResult - opened} ms to the first result (${firstResult - clicked} ms after the click)`,
    );

    const seen = (await page.evaluate('window.__seen')) as { bar: boolean; runningName: string; partial: number[] };
    expect(seen.bar).toBe(true);
    expect(seen.runningName).toMatch(/running OCI Registry /);
    // The list grew while the run was in progress: results arrived one by one from the stream.
    expect(seen.partial.length).toBeGreaterThanOrEqual(2);
    const { body: report } = await api(server.url, `/api/v1/doctor/runs/${runId}`);
    expect(report.trigger).toBe('dashboard');
    expect(await page.locator('a[data-check-id]').count()).toBe(report.results.length);
    for (const severity of ['fail', 'warn', 'info', 'pass', 'skip'])
      expect(await page.locator(`.tile.sev-${severity} .tile-count`).textContent()).toBe(
        String(report.summary[severity]),
      );
    await expect.poll(() => row(REGISTRY_CHECK).locator('.badge').textContent()).toContain('pass');
  });

  it('a check that newly fails is marked new, and its remediation panel shows diagnosis, evidence, causes and steps as text', async () => {
    writeAppSettings(server.dir, { OCI: { RegistryUrl: deadUrl } });
    const { page } = view;
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('run') !== runIds[0]);
    runIds.push(await waitForRunToFinish());

    await expect.poll(() => row(REGISTRY_CHECK).textContent()).toContain('New since the previous run');
    await row(REGISTRY_CHECK).click();
    expect(new URL(page.url()).searchParams.get('check')).toBe(REGISTRY_CHECK);
    const region = panel();
    await expect.poll(() => region.getByRole('heading', { level: 2 }).textContent()).toBe('OCI Registry Connectivity');
    expect(await region.locator('.diagnosis').textContent()).toContain('refused');
    const evidence = region.getByRole('region', { name: 'Evidence' });
    expect(
      await evidence
        .getByRole('row', { name: /error_class/ })
        .getByRole('cell')
        .textContent(),
    ).toBe('refused');
    expect(await region.getByRole('region', { name: 'Likely causes' }).getByRole('listitem').count()).toBeGreaterThan(
      0,
    );
    expect(await region.getByRole('tab').allTextContents()).toEqual([
      expect.stringMatching(/^Docker Compose/),
      expect.stringMatching(/^Bare metal/),
      expect.stringMatching(/^Kubernetes/),
      expect.stringMatching(/^Any/),
    ]);
    // The article, rendered from the knowledge base, and the runbook link.
    await expect.poll(() => region.locator('.article h3').first().textContent()).toBe('OCI Registry Connectivity');
    expect(await region.getByRole('link', { name: /registry-connectivity\.md$/ }).count()).toBe(1);
    const { body: history } = await api(server.url, `/api/v1/doctor/checks/${REGISTRY_CHECK}/history`);
    expect(await region.locator('.strip .cell').count()).toBe(history.results.length);
    expect(await region.locator('.strip .cell').last().getAttribute('class')).toContain('sev-fail');
  });

  it('the environment tabs are a tab list the arrow, Home and End keys move through', async () => {
    const { page } = view;
    const tab = (name: string) => panel().getByRole('tab', { name });
    await tab('Docker Compose').click();
    expect(await tab('Docker Compose').getAttribute('aria-selected')).toBe('true');

    const steps: Array<[string, string]> = [
      ['ArrowRight', 'Bare metal'],
      ['ArrowRight', 'Kubernetes'],
      ['End', 'Any'],
      ['ArrowRight', 'Docker Compose'],
      ['ArrowLeft', 'Any'],
      ['Home', 'Docker Compose'],
    ];
    for (const [key, name] of steps) {
      await page.keyboard.press(key);
      expect(await tab(name).getAttribute('aria-selected')).toBe('true');
      expect(await page.evaluate('document.activeElement.getAttribute("role")')).toBe('tab');
      expect(await page.evaluate('document.activeElement.textContent')).toMatch(new RegExp(`^${name}`));
      const panelId = await tab(name).getAttribute('aria-controls');
      expect(await page.locator(`#${panelId}`).isVisible()).toBe(true);
      expect(await panel().getByRole('tabpanel').count()).toBe(1);
    }
    expect(new URL(page.url()).searchParams.get('env')).toBe('compose');
  });

  it('Copy puts the command on the clipboard and says so', async () => {
    const { page } = view;
    await panel().getByRole('tab', { name: 'Kubernetes' }).click();
    const tabPanel = panel().getByRole('tabpanel');
    const command = (await tabPanel.locator('pre').first().textContent())!;
    expect(command.length).toBeGreaterThan(0);

    await tabPanel.getByRole('button', { name: 'Copy' }).first().click();

    await expect.poll(() => tabPanel.getByRole('status').first().textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
  });

  it('Verify after the configuration file is fixed re-runs the check and shows the new verdict next to the old one', async () => {
    writeAppSettings(server.dir, { OCI: { RegistryUrl: proxy.url } });
    const region = panel();

    await region.getByRole('button', { name: 'Verify' }).click();

    const after = region.getByTestId('verify-after');
    await expect.poll(() => after.textContent(), { timeout: 20_000 }).toContain('pass');
    expect(await region.locator('.before-after dd').first().textContent()).toContain('fail');
    expect(await region.locator('.diagnosis').textContent()).toContain('reachable');
    expect(await row(REGISTRY_CHECK).textContent()).toContain('Verified (was fail)');
    const { body } = await api(server.url, '/api/v1/doctor/runs?limit=1');
    expect(body.runs[0].trigger).toBe('dashboard');
    expect(body.runs[0].summary.total).toBe(1);
  });

  it('the run made by Verify, opened from the history, marks the check fixed since the previous run', async () => {
    const { page } = view;
    const { body } = await api(server.url, '/api/v1/doctor/runs?limit=1');
    const verifyRun = body.runs[0].runId;

    await page.getByRole('region', { name: 'History' }).locator(`a[data-run-id="${verifyRun}"]`).click();

    await expect.poll(() => row(REGISTRY_CHECK).textContent()).toContain('Fixed since the previous run');
    expect(await page.locator('a[data-check-id]').count()).toBe(1);
    await page.goBack();
    await expect.poll(() => page.locator('.run-meta').textContent()).toContain(runIds[1]);
  });

  it('a past run opens from the history in the same views, and Back returns to the run before', async () => {
    const { page } = view;
    const history = page.getByRole('region', { name: 'History' });
    await expect.poll(() => history.locator(`a[data-run-id="${runIds[0]}"]`).count()).toBe(1);

    await history.locator(`a[data-run-id="${runIds[0]}"]`).click();

    await expect.poll(() => new URL(page.url()).searchParams.get('run')).toBe(runIds[0]);
    await expect.poll(() => row(REGISTRY_CHECK).locator('.badge').textContent()).toContain('pass');
    expect(await page.locator('.run-meta').textContent()).toContain(runIds[0]);
    await page.goBack();
    await expect.poll(() => page.locator('.run-meta').textContent()).toContain(runIds[1]);
  });

  it('a run started elsewhere (through the API) enters the history while the page is open, without a reload', async () => {
    const { page } = view;
    const history = page.getByRole('region', { name: 'History' });
    const { body } = await api(server.url, '/api/v1/doctor/run', { body: { mode: 'quick' } });

    await expect.poll(() => history.locator(`a[data-run-id="${body.runId}"]`).count()).toBe(1);
    await expect.poll(() => history.locator(`a[data-run-id="${body.runId}"]`).textContent()).toContain('api');
  });

  it('a deep link opens the same run, check, environment tab and severity filter in a new page', async () => {
    const link = `${server.url}/ops/doctor?run=${runIds[1]}&check=${REGISTRY_CHECK}&env=kubernetes&show=fail`;
    const other = await openPage(browser.browser);
    try {
      await other.page.goto(link);
      const region = other.page.getByRole('region', { name: 'Remediation' });
      await expect
        .poll(() => region.getByRole('heading', { level: 2 }).textContent())
        .toBe('OCI Registry Connectivity');
      expect(await region.getByRole('tab', { name: 'Kubernetes' }).getAttribute('aria-selected')).toBe('true');
      expect(await other.page.locator('.tile.sev-fail').getAttribute('aria-pressed')).toBe('true');
      const badges = await other.page.locator('a[data-check-id] .badge').allTextContents();
      expect(badges.length).toBeGreaterThan(0);
      expect(badges.every((text) => text.includes('fail'))).toBe(true);
      expect(other.problems).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('clicking a summary tile filters the list to that severity and clicking it again shows all', async () => {
    const { page } = view;
    await page.goto(`${server.url}/ops/doctor?run=${runIds[1]}`);
    await page.locator('a[data-check-id]').first().waitFor();
    const all = await page.locator('a[data-check-id]').count();

    await page.locator('.tile.sev-skip').click();
    const skips = Number(await page.locator('.tile.sev-skip .tile-count').textContent());
    await expect.poll(() => page.locator('a[data-check-id]').count()).toBe(skips);
    expect(new URL(page.url()).searchParams.get('show')).toBe('skip');

    await page.locator('.tile.sev-skip').click();
    await expect.poll(() => page.locator('a[data-check-id]').count()).toBe(all);
  });

  it('exports the shown report as JSON and as Markdown', async () => {
    const { page } = view;
    const saved = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      const path = join(tmpdir(), download.suggestedFilename());
      await download.saveAs(path);
      return { file: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
    };
    const { body: served } = await api(server.url, `/api/v1/doctor/runs/${runIds[1]}`);

    const json = await saved('Export JSON');
    expect(json.file).toBe(`doctor-report-${runIds[1]}.json`);
    expect(JSON.parse(json.text)).toEqual(served);
    const markdown = await saved('Export Markdown');
    expect(markdown.file).toBe(`doctor-report-${runIds[1]}.md`);
    expect(markdown.text).toMatch(/^# Stella Doctor report\n/);
    expect(markdown.text).toContain(`\`${runIds[1]}\``);
  });

  it.each(['light', 'dark'] as const)(
    'the %s theme follows the system setting and passes the WCAG 2 AA rules of axe-core',
    async (colorScheme) => {
      const themed = await openPage(browser.browser, { colorScheme });
      try {
        await themed.page.goto(`${server.url}/ops/doctor?run=${runIds[1]}&check=${REGISTRY_CHECK}`);
        await themed.page.locator('.article h3').first().waitFor();
        const background = await themed.page.evaluate('getComputedStyle(document.body).backgroundColor');
        expect(background).toBe(colorScheme === 'dark' ? 'rgb(18, 20, 23)' : 'rgb(247, 248, 250)');
        await themed.page.screenshot({ path: join(screenshotDir(), `dashboard-${colorScheme}.png`) });
        // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected script tag.
        await themed.page.evaluate(axe.source);
        const results = (await themed.page.evaluate(
          `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
        )) as { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> };
        expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
          [],
        );
        expect(themed.problems).toEqual([]);
      } finally {
        await themed.context.close();
      }
    },
  );

  it('the keyboard alone starts a run and opens a result, with a visible focus ring on every stop', async () => {
    const keyboard = await openPage(browser.browser);
    try {
      const { page } = keyboard;
      await page.goto(`${server.url}/ops/doctor`);
      await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
      const focused = () =>
        page.evaluate(`(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return { tag: el.tagName, text: el.textContent.trim(), checkId: el.getAttribute('data-check-id'),
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
        })()`) as Promise<{ tag: string; text: string; checkId: string | null; outline: boolean }>;
      const tabUntil = async (wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean) => {
        for (let stops = 0; stops < 40; stops++) {
          await page.keyboard.press('Tab');
          const now = await focused();
          // Past the last control focus leaves the page: what was wanted is not reachable.
          if (now.tag === 'BODY') break;
          expect(now.outline, `focus ring on "${now.text.slice(0, 40)}"`).toBe(true);
          if (wanted(now)) return;
        }
        throw new Error('not reached by Tab');
      };

      await tabUntil((f) => f.text === 'Run');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Export JSON' }).waitFor();
      await tabUntil((f) => f.checkId === REGISTRY_CHECK);
      await page.keyboard.press('Enter');

      await expect.poll(() => focused().then((f) => f.text)).toBe('OCI Registry Connectivity');
      expect(new URL(page.url()).searchParams.get('check')).toBe(REGISTRY_CHECK);
      expect(keyboard.problems).toEqual([]);
    } finally {
      await keyboard.context.close();
    }
  });

  it('the first load is at most 100 KB compressed and asks nothing of any other origin', async () => {
    const fresh = await openPage(browser.browser);
    try {
      const sizes: number[] = [];
      fresh.page.on('requestfinished', (request) => {
        void request.sizes().then((s) => sizes.push(s.responseBodySize + s.responseHeadersSize));
      });
      await fresh.page.goto(`${server.url}/ops/doctor`);
      await fresh.page.getByRole('button', { name: 'Run', exact: true }).waitFor();
      await fresh.page.locator('a[data-run-id]').first().waitFor();
      // Everything but the all-runs event stream, which stays open, has finished.
      await expect.poll(() => sizes.length).toBe(fresh.requests.filter((r) => !r.url.endsWith('/stream')).length);
      const assets = fresh.requests.filter((r) => new URL(r.url).pathname.startsWith('/ops/doctor'));
      const total = sizes.reduce((a, b) => a + b, 0);
      console.log(`first load: ${fresh.requests.length} requests, ${total} bytes as transferred (compressed)`);

      expect(assets.length).toBeGreaterThanOrEqual(3);
      expect(total).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
      expect(fresh.requests.filter((r) => new URL(r.url).origin !== server.url)).toEqual([]);
      expect(fresh.problems).toEqual([]);
    } finally {
      await fresh.context.close();
    }
  });

  it('nothing on the page broke: no console error, page error or CSP violation', () => {
    expect(view.problems).toEqual([]);
  });
});
