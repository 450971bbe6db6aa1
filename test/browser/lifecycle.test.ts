/**
 * A phone's life in Chromium (reliability issue, item 23): the tab hidden and shown again, the
 * network gone and back, the page frozen and resumed, and a trip through the back-forward
 * cache. After each, the agent has moved on meanwhile; the phone must show the agent's new
 * view, over exactly one socket, and the server must list exactly one connection for it.
 *
 * What headless Chromium can and cannot emulate, found while writing this (Chromium 156):
 * - the DevTools protocol has no control of page visibility, and in headless mode neither a
 *   minimised window nor another active tab hides a page, so visibility is switched from inside
 *   the page (`document.visibilityState` redefined, `visibilitychange` dispatched);
 * - `Page.setWebLifecycleState { state: 'frozen' }` answers success but freezes nothing while
 *   the page is visible (no `freeze` event, timers keep running), so the freeze is made with
 *   `Debugger.pause`: no script runs, timers and socket messages wait, just as in a frozen tab;
 * - `context.setOffline(true)` fires `offline` and holds the socket's frames without closing
 *   it, as a phone's radio does at first;
 * - Playwright starts Chromium with `--disable-back-forward-cache`; this file's browser is
 *   started without it, so the cache may keep the page if Chromium allows it.
 */
import type { Browser, BrowserContext, CDPSession, Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { ViewName } from '../../src/core/view-state.js';
import type { PresenterClient } from '../../src/sdk/index.js';
import { t } from '../../src/screens/i18n.js';
import { checkBothLanguages } from './buyer-checks.js';
import {
  UI_TIMEOUT,
  closeAll,
  expectScreen,
  expectText,
  launchChromium,
  nodePresenter,
  phoneContext,
  startTestServer,
} from './support.js';
import type { ApiAgent, TestServer } from './support.js';

/** A short heartbeat, so that the server notices a frozen phone within seconds. */
const HEARTBEAT_SECONDS = 2;
const poll = { timeout: UI_TIMEOUT, interval: 50 };

let srv: TestServer;
let browser: Browser;
let phone: BrowserContext;
let agent: ApiAgent;
let presenter: PresenterClient;
let presentationId = '';
let page: Page;
let cdp: CDPSession;
const sockets: WebSocket[] = [];
const bfcache: { notUsed: string[]; restored: boolean } = { notUsed: [], restored: false };

beforeAll(async () => {
  srv = await startTestServer({ HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS) });
  browser = await launchChromium({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  phone = await phoneContext(browser);
  agent = await srv.agent();
  const created = await agent.present();
  presentationId = created.id;
  presenter = await nodePresenter(srv, agent, presentationId);

  page = await phone.newPage();
  page.on('websocket', (socket) => sockets.push(socket));
  // A new document owns none of the old one's sockets; Playwright reports no close for a socket
  // whose page navigated away, so they are forgotten at the navigation.
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) sockets.length = 0;
  });
  // Whether a page came back from the back-forward cache, as the page itself is told.
  page.on('console', (message) => {
    if (message.text() === 'pageshow persisted') bfcache.restored = true;
  });
  await page.addInitScript(() => {
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) console.log('pageshow persisted');
    });
  });
  cdp = await phone.newCDPSession(page);
  await cdp.send('Page.enable');
  cdp.on('Page.backForwardCacheNotUsed', (event) => {
    bfcache.notUsed.push(...event.notRestoredExplanations.map((e) => e.reason));
  });

  await page.goto(created.url);
  await page.locator('.rp-viewer[data-screen="live"]').waitFor();
});

afterAll(() =>
  closeAll(
    async () => presenter.close(),
    () => browser.close(),
    () => srv.close(),
  ),
);

// ---------------------------------------------------------------- helpers

/** The sockets of the page's current document that are still open. */
const openSockets = () => sockets.filter((socket) => !socket.isClosed()).length;

async function serverViewers(): Promise<{ connectionId: string; visible: boolean }[]> {
  type Answer = { presentation: { viewers: { connectionId: string; visible: boolean }[] } };
  const res = await agent.api<Answer>('GET', `/api/v1/presentations/${presentationId}`);
  return res.body.presentation.viewers;
}

/** The agent moves on: a view the phone has not shown yet. */
function agentShows(view: ViewName): void {
  expect(presenter.change({ view })).toBe(true);
}

/** The phone shows `view`, live, over one socket, and the server lists one connection. */
async function expectCaughtUp(view: ViewName): Promise<void> {
  await expectScreen(page, 'live');
  await expectText(page.locator('.rp-viewer-indicator'), t('ru', 'viewer.live'));
  await expect
    .poll(() => page.locator('.rp-viewer-frame [data-view]').getAttribute('data-view'), poll)
    .toBe(view);
  await expect.poll(openSockets, poll).toBe(1);
  await expect.poll(async () => (await serverViewers()).length, poll).toBe(1);
}

/** Hides or shows the tab as the page sees it (see the file's comment for why from inside). */
async function setHidden(hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (value ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

// ---------------------------------------------------------------- the phone's life

describe("a phone's lifecycle in Chromium", () => {
  test('hidden, then visible: the agent sees the tab hidden, and the phone comes back current', async () => {
    const before = await serverViewers();
    await setHidden(true);
    await expect.poll(async () => (await serverViewers())[0]?.visible, poll).toBe(false);

    agentShows('grid');
    await setHidden(false);
    await expect.poll(async () => (await serverViewers())[0]?.visible, poll).toBe(true);
    await expectCaughtUp('grid');
    // Nothing was lost, so the same connection carried on.
    expect((await serverViewers())[0]?.connectionId).toBe(before[0]?.connectionId);
  });

  test('offline, then online: the phone says it lost the network, then catches up', async () => {
    const attempts = sockets.length;
    await phone.setOffline(true);
    await expectScreen(page, 'offline');
    await checkBothLanguages(page, 'viewer-offline', async (lang) => {
      await expectText(page.locator('.rp-viewer-banner'), t(lang, 'viewer.offlineTitle'));
    });
    // Every attempt fails while offline; none of them may count against WebSocket, or the
    // phone would come back on another transport.
    await expect.poll(() => sockets.length - attempts, poll).toBeGreaterThan(4);

    agentShows('list');
    await phone.setOffline(false);
    await expectCaughtUp('list');
  });

  test('frozen long enough for the server to drop it, then resumed: one new socket, the new view', async () => {
    const before = await serverViewers();
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    try {
      // The server hears nothing from the frozen page and closes its connection.
      await expect.poll(async () => (await serverViewers()).length, poll).toBe(0);
      agentShows('floor');
    } finally {
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
    }

    await expectCaughtUp('floor');
    expect((await serverViewers())[0]?.connectionId).not.toBe(before[0]?.connectionId);
  });

  test('away and back through the back-forward cache: the phone shows the new view on one socket', async () => {
    await page.goto(`${srv.url}/healthz`);
    agentShows('overview');

    await page.goBack();
    await expectCaughtUp('overview');

    // Either way is right; which one happened is worth knowing when reading a failure.
    if (!bfcache.restored) {
      expect(bfcache.notUsed).toContain('MainResourceHasCacheControlNoStore');
    }
  });
});
