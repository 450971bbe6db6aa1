/**
 * Security as a browser sees it. Hostile text — a buyer's name, an agent's notes, the complex's
 * name — shows literally and runs nothing, on the console and on the phone; the buyer's page
 * runs no inline script, whoever injects it; and the link's token never leaves in a Referer.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { tc } from '../../src/screens/console/messages.js';
import { t } from '../../src/screens/i18n.js';
import { generateDemoInventory } from '../../src/server/inventory/demo.js';
import { openStore } from '../../src/server/storage/open.js';
import type { Store } from '../../src/server/storage/store.js';
import {
  agentContext,
  closeAll,
  closeDialog,
  cspViolations,
  expectScreen,
  expectText,
  launchChromium,
  phoneContext,
  recordPage,
  reportCspViolations,
  signIn,
  startTestServer,
} from './support.js';
import type { ApiAgent, PageRecord, TestServer } from './support.js';

const BUYER_NAME = '<img src=x onerror=alert(1)>Олег "Тест" & Co';
const NOTES = '</script><script>alert(2)</script><b onmouseover=alert(3)>просил скидку</b>';
/** Shown to buyers: it travels in the page's bootstrap JSON, inside a <script> element. */
const COMPLEX = 'Парк </script><script>alert(4)</script><img src=x onerror=alert(5)>';

let store: Store;
let srv: TestServer;
let browser: Browser;
let agentCtx: BrowserContext;
let phoneCtx: BrowserContext;
let api: ApiAgent;
let presentation: { id: string; url: string; token: string };

beforeAll(async () => {
  // The demo inventory with hostile text where agents and developers type freely.
  store = await openStore({ dataDir: ':memory:' });
  const demo = generateDemoInventory();
  demo.complex.name = COMPLEX;
  for (const unit of demo.units) unit.internal.notes = NOTES;
  await store.inventory.replace(demo.complex, demo.units);

  srv = await startTestServer({}, { store });
  browser = await launchChromium();
  agentCtx = await agentContext(browser);
  phoneCtx = await phoneContext(browser);
  await reportCspViolations(agentCtx);
  await reportCspViolations(phoneCtx);

  api = await srv.agent();
  const buyer = await api.api<{ buyer: { id: string } }>('POST', '/api/v1/buyers', {
    name: BUYER_NAME,
    contact: '+7 900 000-00-00',
  });
  expect(buyer.status).toBe(201);
  const created = await api.api<{ presentation: { id: string }; link: { url: string } }>(
    'POST',
    '/api/v1/presentations',
    { buyerId: buyer.body.buyer.id },
  );
  expect(created.status).toBe(201);
  const url = created.body.link.url;
  presentation = { id: created.body.presentation.id, url, token: url.split('/p/')[1] ?? '' };
});

afterAll(() =>
  closeAll(
    () => browser.close(),
    () => srv.close(),
    () => store.close(),
  ),
);

/** Nothing in the page was built from the payloads' markup. */
async function expectNoInjectedMarkup(page: Page): Promise<void> {
  expect(await page.locator('img[src="x"], b[onmouseover], [onerror]').count()).toBe(0);
  expect(await page.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(
    await page.evaluate(() => document.querySelectorAll('script#rp-bootstrap').length),
  );
}

function expectQuiet(record: PageRecord): void {
  expect(record.dialogs).toEqual([]);
  expect(record.pageErrors).toEqual([]);
  expect(cspViolations(record)).toEqual([]);
  // An <img src=x> that had been parsed would have asked for /x.
  expect(record.requests.filter((r) => /\/x$/.test(r.url))).toEqual([]);
}

describe('hostile text renders inert', () => {
  test("a buyer's name and an agent's notes holding markup show literally in the console", async () => {
    const page = await agentCtx.newPage();
    const { record } = await recordPage(page);
    await signIn(page, srv.url);

    // The presentations list.
    await page
      .locator('.rp-console-header button', { hasText: tc('ru', 'presentations.open') })
      .click();
    const row = page.locator('dialog[open] tbody tr').first();
    await expect.poll(() => row.locator('th').textContent()).toBe(BUYER_NAME);
    await closeDialog(page);

    // The dialog's list of existing buyers.
    await page.locator('.rp-console-header .rp-shell-primary').click();
    const option = page.locator('dialog[open] .rp-console-buyer-option').first();
    await expect.poll(() => option.locator('span').first().textContent()).toBe(BUYER_NAME);
    await closeDialog(page);

    // The live bar, once the agent presents it.
    await page
      .locator('.rp-console-header button', { hasText: tc('ru', 'presentations.open') })
      .click();
    await page.getByRole('button', { name: t('ru', 'presentations.reopen') }).click();
    await expect
      .poll(() => page.locator('.rp-console-live-head p').textContent())
      .toBe(tc('ru', 'present.forBuyer', { name: BUYER_NAME }));

    // The agent-only panel of a unit, and the complex's name in the header.
    await page.locator('.rp-console-nav-item', { hasText: t('ru', 'view.grid') }).click();
    await page.locator('.rp-console-stage button.rp-cell').first().click();
    const notes = page.locator('.rp-internal dd').last();
    await expect.poll(() => notes.textContent()).toBe(NOTES);
    expect(await page.locator('.rp-console-brand p').textContent()).toBe(COMPLEX);

    await expectNoInjectedMarkup(page);
    expectQuiet(record);
    // The tab stays open: it presents, so the phone's pages below are live.
  });

  test("the complex's name holding </script> and markup shows literally on the phone", async () => {
    const page = await phoneCtx.newPage();
    const { record } = await recordPage(page);
    await page.goto(presentation.url);
    await expectScreen(page, 'live');

    await expect.poll(() => page.locator('.rp-viewer-title').textContent()).toBe(COMPLEX);
    await expectNoInjectedMarkup(page);
    expectQuiet(record);
    await page.close();
  });
});

describe("the buyer's page", () => {
  test('runs no inline script or inline event handler, even one injected into its DOM', async () => {
    const page = await phoneCtx.newPage();
    const { record } = await recordPage(page);
    await page.goto(presentation.url);
    await expectScreen(page, 'live');
    expect(cspViolations(record)).toEqual([]);

    const ran = await page.evaluate(() => {
      const flags = window as unknown as Record<string, unknown>;
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);

      const button = document.createElement('button');
      button.setAttribute('onclick', 'window.handlerRan = true');
      document.body.append(button);
      button.click();
      return { inline: flags.inlineRan === true, handler: flags.handlerRan === true };
    });

    expect(ran).toEqual({ inline: false, handler: false });
    // The page's CSP refused each, and said so: the listener the test relies on works.
    await expect.poll(() => cspViolations(record).length).toBeGreaterThanOrEqual(2);
    await page.close();
  });

  test('sends no request with the token in its Referer, the WebSocket handshake included', async () => {
    const page = await phoneCtx.newPage();
    const { record } = await recordPage(page);
    const response = await page.goto(presentation.url);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await expectScreen(page, 'live');
    await expectText(page.locator('.rp-viewer-indicator'), t('ru', 'viewer.live'));

    const sent = record.requests.filter((r) => r.url !== presentation.url);
    expect(sent.some((r) => r.url.includes('/assets/'))).toBe(true);
    expect(sent.some((r) => r.url === 'websocket')).toBe(true);
    expect(record.requests.filter((r) => r.referer.includes(presentation.token))).toEqual([]);
    expect(record.requests.filter((r) => r.referer !== '')).toEqual([]);
    await page.close();

    // The recorder does see a Referer where one is sent: a page without a referrer policy.
    const control = await phoneCtx.newPage();
    const seen = await recordPage(control);
    await control.goto(`${srv.url}/healthz`);
    await control.evaluate(() => fetch('/healthz').then((res) => res.status));
    expect(seen.record.requests.some((r) => r.referer === `${srv.url}/healthz`)).toBe(true);
    await control.close();
  });
});
