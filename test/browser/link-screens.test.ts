/**
 * Every screen a buyer's link can land on besides the live one: invalid, still connecting, the
 * server unavailable, too many devices, revoked, expired and ended because the agent did not
 * come back. Each is checked in Russian and English, with axe, and photographed.
 *
 * The server runs on a manual clock so that expiry and the grace period pass at the test's
 * word: links may live one minute (MIN_LIFETIME_MIN=1), one device per link is allowed, and
 * heartbeats are too slow to interfere with the jumps in time.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CLOSE_FATAL } from '../../src/core/protocol.js';
import { tx } from '../../src/screens/app/i18n-extra.js';
import { t } from '../../src/screens/i18n.js';
import type { PresenterClient } from '../../src/sdk/index.js';
import { ManualClock } from '../support/clock.js';
import { checkBothLanguages, publishDocImage } from './buyer-checks.js';
import {
  closeAll,
  expectScreen,
  expectText,
  launchChromium,
  nodePresenter,
  phoneContext,
  startTestServer,
} from './support.js';
import type { ApiAgent, TestServer } from './support.js';

const clock = new ManualClock(Date.now());
let srv: TestServer;
let browser: Browser;
let phone: BrowserContext;
let agent: ApiAgent;
/** The agent's SDK client of the grace-period test, closed here too if that test fails. */
let presenter: PresenterClient | undefined;

beforeAll(async () => {
  srv = await startTestServer(
    { MIN_LIFETIME_MIN: '1', MAX_DEVICES: '1', HEARTBEAT_SECONDS: '300' },
    { clock },
  );
  browser = await launchChromium();
  phone = await phoneContext(browser);
  agent = await srv.agent();
});

afterAll(() =>
  closeAll(
    async () => presenter?.close(),
    () => browser.close(),
    () => srv.close(),
  ),
);

/** Opens the link on the phone and waits for the live screen with its connection open. */
async function openLive(url: string, context = phone): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await expectScreen(page, 'live');
  await expectText(page.locator('.rp-viewer-indicator'), t('ru', 'viewer.live'));
  return page;
}

/** The page's bootstrap JSON, changed by `edit`, served in place of the server's. */
async function serveEditedBootstrap(
  page: Page,
  url: string,
  edit: (bootstrap: Record<string, unknown>) => Record<string, unknown>,
  status?: number,
): Promise<void> {
  await page.route(url, async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    const body = html.replace(
      /(<script id="rp-bootstrap" type="application\/json">)(.*?)(<\/script>)/s,
      (_whole, open: string, json: string, close: string) =>
        `${open}${JSON.stringify(edit(JSON.parse(json) as Record<string, unknown>)).replace(/</g, '\\u003c')}${close}`,
    );
    await route.fulfill({ response, body, ...(status === undefined ? {} : { status }) });
  });
}

describe("the buyer's link, on every screen besides the live one", () => {
  test('an unknown link answers 404 and shows the invalid-link screen', async () => {
    const page = await phone.newPage();
    const response = await page.goto(`${srv.url}/p/this-link-was-never-issued`);
    expect(response?.status()).toBe(404);
    await expectScreen(page, 'invalid');

    await checkBothLanguages(page, 'viewer-invalid', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), t(lang, 'viewer.invalidTitle'));
    });
    await page.close();
  });

  test('a page whose connection has not opened yet shows the connecting screen', async () => {
    const { url } = await agent.present();
    const page = await phone.newPage();
    // No transport gets through, and the page came without a frame to show meanwhile.
    await page.routeWebSocket(/\/ws$/, () => undefined);
    await page.route('**/rt/**', () => undefined);
    await serveEditedBootstrap(page, url, ({ state: _state, ...rest }) => rest);
    await page.goto(url);
    await expectScreen(page, 'connecting');

    await checkBothLanguages(page, 'viewer-connecting', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), t(lang, 'viewer.connecting'));
    });
    await page.close();
  });

  test('a server that could not check the link shows the unavailable screen with a retry', async () => {
    const { url } = await agent.present();
    const page = await phone.newPage();
    const unavailable = { code: 'unavailable', message: 'The service is briefly unavailable.' };
    await serveEditedBootstrap(page, url, () => ({ presentation: null, error: unavailable }), 503);
    await page.goto(url);
    await expectScreen(page, 'unavailable');

    await checkBothLanguages(page, 'viewer-unavailable', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), tx(lang, 'viewer.unavailableTitle'));
      await expectText(page.locator('.rp-viewer-actions button'), tx(lang, 'viewer.reload'));
    });
    await page.close();
  });

  test('a connection ended for a reason with no screen of its own shows the failed screen', async () => {
    const { url } = await agent.present();
    const page = await phone.newPage();
    // A server this page is too old for: it answers the hello with a fatal closing frame.
    await page.route('**/rt/**', (route) => route.abort());
    await page.routeWebSocket(/\/ws$/, (ws) => {
      ws.onMessage(() => {
        const closing = {
          type: 'closing',
          reason: 'unsupported_version',
          retry: false,
          message: 'This page speaks an older protocol.',
        };
        ws.send(JSON.stringify(closing));
        ws.close({ code: CLOSE_FATAL, reason: 'unsupported_version' });
      });
    });
    await page.goto(url);
    await expectScreen(page, 'failed');

    await checkBothLanguages(page, 'viewer-failed', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), tx(lang, 'viewer.failedTitle'));
      await expectText(page.locator('.rp-viewer-notice button'), tx(lang, 'viewer.reload'));
    });
    await page.close();
  });

  test('one device more than the link admits is told there are too many devices', async () => {
    const { url } = await agent.present();
    const first = await openLive(url);
    const otherPhone = await phoneContext(browser);
    const second = await otherPhone.newPage();
    await second.goto(url);
    await expectScreen(second, 'tooManyDevices');

    await checkBothLanguages(second, 'viewer-too-many-devices', async (lang) => {
      await expectText(second.locator('.rp-viewer-notice h2'), t(lang, 'viewer.tooManyTitle'));
      await expectText(second.locator('.rp-viewer-contact'), 'Анна Смирнова');
    });
    // The device already watching is not disturbed by the one refused.
    await expectScreen(first, 'live');
    await otherPhone.close();
    await first.close();
  });

  test('a link revoked while the buyer watches cuts the phone to the revoked screen, and stays revoked', async () => {
    const { id, url } = await agent.present();
    const page = await openLive(url);
    expect((await agent.api('POST', `/api/v1/presentations/${id}/revoke`)).status).toBe(200);
    await expectScreen(page, 'revoked');

    await checkBothLanguages(page, 'viewer-revoked', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), t(lang, 'viewer.revokedTitle'));
      await expectText(page.locator('.rp-viewer-contact'), 'Анна Смирнова');
    });

    const again = await page.reload();
    expect(again?.status()).toBe(410);
    await expectScreen(page, 'revoked');
    await page.close();
  });

  test('a link that expires while the buyer watches turns into the expired screen, and stays expired', async () => {
    const { url } = await agent.present({ lifetimeMinutes: 1 });
    const page = await openLive(url);

    clock.advance(60_000 + 1);
    await expectScreen(page, 'expired');
    const paths = await checkBothLanguages(page, 'viewer-expired', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice h2'), t(lang, 'viewer.expiredTitle'));
      await expectText(page.locator('.rp-viewer-notice > p'), 'Анна Смирнова');
    });
    publishDocImage(paths.ru, 'viewer-expired.png');

    const again = await page.reload();
    expect(again?.status()).toBe(410);
    await expectScreen(page, 'expired');
    await page.close();
  });

  test('an agent who does not come back within the grace period ends it: the phone says so', async () => {
    const { id, url } = await agent.present();
    presenter = await nodePresenter(srv, agent, id);
    const page = await openLive(url);

    presenter.close();
    await expectScreen(page, 'agentAway');
    clock.advance(120_000 + 1);
    await expectScreen(page, 'ended');

    await checkBothLanguages(page, 'viewer-ended-agent-left', async (lang) => {
      await expectText(page.locator('.rp-viewer-notice'), t(lang, 'viewer.endedAgentLeft'));
    });
    await page.close();
  });
});
