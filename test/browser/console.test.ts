/**
 * The web console end to end in headless Debian Chromium (playwright-core, no downloaded
 * browser). Screenshots go to test-artifacts/screenshots/. A missing /usr/bin/chromium fails
 * the suite with instructions; it is never skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REASONS } from '../../src/policy/reasons.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { seed, type Seeded } from './seed.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

let s: TestServer;
let data: Seeded;
let ctx: BrowserContext;
let page: Page;
let userDataDir: string;
const problems: string[] = [];
const requests: string[] = [];

async function newPage(): Promise<Page> {
  const p = await ctx.newPage();
  p.setDefaultTimeout(15_000);
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('request', (r) => requests.push(r.url()));
  return p;
}

/** Retries `read` until it satisfies `ok` (the UI updates asynchronously), then returns the value. */
async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}

/** Presses `key` until the focused element passes `test` (at most `max` presses); true when it did. */
async function keyTo(p: Page, key: string, test: () => Promise<boolean>, max = 40): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    if (await test()) return true;
    await p.keyboard.press(key);
  }
  return test();
}

const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, name), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it with `
      + '`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does this).');
  }
  s = await startTestServer();
  const index = await fetch(`${s.url}/console/`);
  if (index.status !== 200) throw new Error(`The console is not served (${index.status}): run \`npm run build\` first (npm test does).`);
  data = await seed(s);
  mkdirSync(SHOTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'rolegate-chromium-'));
  ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
      '--disable-component-update', '--disable-sync'],
  });
  page = await newPage();
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await s?.close();
});

describe('web console in headless Chromium', () => {
  it('serves the console with a strict CSP and security headers', async () => {
    const root = await fetch(`${s.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const bare = await fetch(`${s.url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/']);
    for (const path of ['/console/', '/console/app/main.js', '/console/reasons.json', '/console/nope']) {
      const r = await fetch(`${s.url}${path}`);
      expect(r.headers.get('content-security-policy')).toBe(CSP);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
    const html = await (await fetch(`${s.url}/console/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline handler
    const reasons = await (await fetch(`${s.url}/console/reasons.json`)).json() as { reasons: Record<string, string> };
    expect(reasons.reasons.LICENSE_EXHAUSTED).toBe(REASONS.LICENSE_EXHAUSTED);
  });

  it('refuses a wrong token, then signs in with the admin token', async () => {
    await page.goto(`${s.url}/`);
    await page.getByLabel('Admin API token').fill('not-a-valid-token-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The token was refused').waitFor();
    // The browser logs the refused request itself; nothing else may go wrong.
    expect(problems.splice(0).every((m) => m.includes('401'))).toBe(true);
    await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync log' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
  });

  it('filters the sync log to one user (server side)', async () => {
    await page.getByLabel('User id').fill(data.fay.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/userId=/);
    const rows = page.locator('table:has(caption:text("Audit entries")) tbody tr');
    const expected = (await s.admin('GET', `/audit?userId=${data.fay.id}&limit=50`)).body.entries as { event: string }[];
    expect(await poll(() => rows.count(), (n) => n === expected.length)).toBe(expected.length);
    const targets = await rows.locator('td:nth-child(5)').allTextContents();
    expect(targets.every((t) => t.includes(data.fay.id))).toBe(true);
    expect(await rows.locator('th').allTextContents()).toEqual(expected.map((e) => e.event));
    expect(requests.some((u) => u.includes('/api/v1/audit?') && u.includes(`userId=${data.fay.id}`))).toBe(true);
    await shot(page, 'sync-log.png');
  });

  it('opens an entry: the before/after diff and the reason in words', async () => {
    const row = page.locator('tbody tr', { has: page.locator('code', { hasText: /^GROUP_FLOOR_PROMOTION$/ }) }).first();
    await row.getByRole('link').first().click();
    const detail = page.locator('section.detail');
    await detail.getByRole('heading', { name: 'Entry: SiteRoleChanged' }).waitFor();
    const diffRow = detail.locator('table tbody tr', { has: page.locator('th', { hasText: /^siteRole$/ }) });
    expect(await diffRow.locator('td').allTextContents()).toEqual(['Unlicensed', 'Viewer', 'changed']);
    await expect(detail.textContent()).resolves.toContain(REASONS.GROUP_FLOOR_PROMOTION);
    await expect(detail.textContent()).resolves.toContain(REASONS.GROUP_FLOOR);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Entry: SiteRoleChanged');
    await detail.screenshot({ path: join(SHOTS, 'entry-diff.png') });
  });

  it('shows the user page: requested vs effective role, seat, owned content and history', async () => {
    await page.locator('section.detail').getByRole('link', { name: `User ${data.fay.id}` }).click();
    await page.getByRole('heading', { level: 2, name: /Fay/ }).waitFor();
    const m = page.locator('table:has(caption:text("Site memberships")) tbody tr').first();
    const cells = await m.locator('th, td').allTextContents();
    expect(cells.slice(0, 6)).toEqual(['default', 'Unlicensed', 'Viewer (differs from requested)', 'yes', 'yes', 'viewer']);
    expect(cells[11]).toBe('0');
    const history = page.locator('table:has(caption:text("Audit entries about this user")) tbody');
    await expect(history.textContent()).resolves.toContain('SiteRoleChanged');
    expect(await page.getByRole('button', { name: 'Load older history' }).isVisible()).toBe(false); // all of it fits one page
    await shot(page, 'user-page.png');
  });

  it('renders the license chart per site as SVG bars with their labels and values', async () => {
    await page.getByRole('link', { name: 'Licenses' }).click();
    await page.getByRole('heading', { level: 1, name: 'License usage' }).waitFor();
    expect(await page.locator('svg.license-chart').count()).toBe(2);
    const chart = page.locator('svg.license-chart[data-site="default"]');
    const creator = chart.locator('g.tier[data-tier="creator"]');
    expect(await creator.getAttribute('data-used')).toBe('2');
    expect(await creator.getAttribute('data-capacity')).toBe('2');
    expect(await creator.getAttribute('data-borrowed')).toBe('1');
    expect(await creator.locator('rect.bar.used').count()).toBe(1);
    expect(await creator.locator('rect.bar.borrowed').count()).toBe(1);
    expect(await creator.locator('text.tier-label').textContent()).toBe('Creator');
    expect(await creator.locator('text.value').textContent()).toBe('2 of 2 used, 1 borrowed');
    expect(await chart.locator('g.tier[data-tier="explorer"] text.value').textContent()).toBe('1 of 1 used');
    const viewer = chart.locator('g.tier[data-tier="viewer"]');
    expect(await viewer.getAttribute('data-capacity')).toBe('unlimited');
    expect(await viewer.locator('rect.capacity.unlimited').count()).toBe(1);
    expect(await viewer.locator('text.value').textContent()).toBe('2 used, unlimited capacity');
    const width = Number(await creator.locator('rect.bar.used').getAttribute('width'));
    expect(width).toBeGreaterThan(0);
    await expect(chart.locator('desc').textContent()).resolves.toContain('Creator: 2 of 2 used, 1 borrowed');
    await shot(page, 'license-chart.png');
  });

  it('lists the six reports as tables', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    for (const h of ['License usage', 'Retained owners', 'Waiting for a seat', 'Wasted seats', 'Drift', 'IdP activity']) {
      await page.getByRole('heading', { level: 2, name: h }).waitFor();
    }
    const waiting = page.locator('section.report', { has: page.getByRole('heading', { name: 'Waiting for a seat' }) });
    await expect(waiting.textContent()).resolves.toContain(data.bob.userName);
    const drift = page.locator('section.report', { has: page.getByRole('heading', { name: 'Drift' }) });
    expect(await drift.locator('tbody tr').first().locator('td').allTextContents()).toEqual([data.salesSiteId, data.gus.id, 'Explorer', 'Creator', 'scim']);
    const activity = page.locator('section.report', { has: page.getByRole('heading', { name: 'IdP activity' }) });
    await expect(activity.textContent()).resolves.toContain('Okta');
    await shot(page, 'reports.png');
  });

  it('pages the log with the server cursor, never loading more than a page', async () => {
    await page.getByRole('link', { name: 'Sync log' }).click();
    await page.getByLabel('Per page').selectOption('25');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/limit=25/);
    // "N entries, sequence A down to B; …": keyset pages follow each other without gap or overlap.
    const range = async () => {
      const m = /sequence (\d+) down to (\d+)/.exec((await page.locator('p.count').textContent()) ?? '');
      return m ? [Number(m[1]), Number(m[2])] : [0, 0];
    };
    const page1 = await range();
    await page.getByRole('link', { name: 'Older →' }).first().click();
    const page2 = await poll(range, ([a]) => a !== page1[0]);
    expect(page2).toEqual([page1[1]! - 1, page1[1]! - 25]);
    await page.getByRole('link', { name: 'Older →' }).first().click();
    const page3 = await poll(range, ([a]) => a !== page2[0]);
    expect(page3[0]).toBe(page2[1]! - 1);
    await page.getByRole('link', { name: '← Newer' }).first().click();
    expect(await poll(range, ([a]) => a === page2[0])).toEqual(page2);
    const limits = requests.filter((u) => u.includes('/api/v1/audit?')).map((u) => Number(new URL(u).searchParams.get('limit')));
    expect(limits.every((l) => l > 0 && l <= 200)).toBe(true);
  });

  it('works with the keyboard alone', async () => {
    const kb = await newPage();
    await kb.goto(`${s.url}/console/`);
    await kb.getByLabel('Admin API token').waitFor();
    expect(await kb.evaluate(() => document.activeElement?.id)).toBe('token'); // the form focuses its field
    await kb.keyboard.type(ADMIN_TOKEN);
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { level: 1, name: 'Sync log' }).waitFor();
    const focused = () => kb.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    // Focus is on the page heading; the navigation comes before it.
    expect(await focused()).toBe('Sync log');
    expect(await keyTo(kb, 'Shift+Tab', async () => (await focused()) === 'Licenses')).toBe(true);
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { level: 1, name: 'License usage' }).waitFor();
    expect(await focused()).toBe('License usage'); // focus moved to the new page's heading
    // Back to the log, then Tab to the first entry's details link and open it with Enter.
    expect(await keyTo(kb, 'Shift+Tab', async () => (await focused()) === 'Sync log')).toBe(true);
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { level: 1, name: 'Sync log' }).waitFor();
    const onDetailsLink = () => kb.evaluate(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Details of') ?? false);
    expect(await keyTo(kb, 'Tab', onDetailsLink, 60)).toBe(true);
    await kb.screenshot({ path: join(SHOTS, 'keyboard-focus.png') }); // the focus ring is visible
    await kb.keyboard.press('Enter');
    await kb.locator('section.detail h2').waitFor();
    expect(await focused()).toMatch(/^Entry: /);
    await kb.close();
  });

  it('loaded nothing from elsewhere and raised no CSP or script error', () => {
    expect(requests.filter((u) => !u.startsWith(s.url) && !u.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
