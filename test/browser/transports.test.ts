/**
 * The mirroring story once per transport: the agent's console in a desktop page, the buyer's
 * phone pinned to WebSocket, Server-Sent Events or long-polling with `?transport=`. Each
 * change the agent makes (view, filters, unit, gallery picture) must reach the phone, and the
 * agent's live bar must name the transport the phone really uses.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { t } from '../../src/screens/i18n.js';
import {
  UI_TIMEOUT,
  agentContext,
  closeAll,
  closeDialog,
  expectScreen,
  expectText,
  launchChromium,
  phoneContext,
  presentFromDialog,
  signIn,
  startTestServer,
  frame,
  normalize,
  stage,
  textOf,
} from './support.js';
import type { TestServer } from './support.js';

const poll = { timeout: UI_TIMEOUT, interval: 50 };

let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  srv = await startTestServer();
  browser = await launchChromium();
});

afterAll(() =>
  closeAll(
    () => browser.close(),
    () => srv.close(),
  ),
);

const navButton = (page: Page, view: 'grid' | 'list') =>
  page.locator('.rp-console-nav-item', { hasText: t('ru', `view.${view}`) });

/** The agent's stage shows `view`; then the phone shows the same view and the same text. */
async function expectMirrored(agent: Page, buyer: Page, view: string, selector: string) {
  await expect.poll(() => stage(agent).getAttribute('data-view'), poll).toBe(view);
  const shown = await textOf(stage(agent).locator(selector));
  expect(shown).not.toBe('');
  await expect.poll(() => frame(buyer).getAttribute('data-view'), poll).toBe(view);
  await expect.poll(() => textOf(frame(buyer).locator(selector)), poll).toBe(shown);
}

describe.each(['ws', 'sse', 'poll'] as const)('mirroring over %s', (transport) => {
  // A fresh agent and a fresh phone for each transport: nothing carries over between them.
  let agentCtx: BrowserContext;
  let phoneCtx: BrowserContext;
  let agent: Page;
  let buyer: Page;

  test('the phone joins over the transport it was pinned to, and the agent sees which', async () => {
    agentCtx = await agentContext(browser);
    phoneCtx = await phoneContext(browser);
    agent = await agentCtx.newPage();
    await signIn(agent, srv.url);
    const link = await presentFromDialog(agent, {
      name: `Покупатель ${transport}`,
      contact: `${transport}@example.com`,
    });
    await closeDialog(agent);

    buyer = await phoneCtx.newPage();
    await buyer.goto(`${link}?transport=${transport}`);
    await expectScreen(buyer, 'live');
    await expectText(
      agent.locator('.rp-console-presence-devices'),
      t('ru', 'live.via', { transport: t('ru', `transport.${transport}`) }),
    );
  });

  test('views, a filter, a unit and a gallery picture reach the phone', async () => {
    await navButton(agent, 'grid').click();
    await expectMirrored(agent, buyer, 'grid', '.rp-view-head h2');

    await navButton(agent, 'list').click();
    const rooms = agent
      .locator('.rp-filters fieldset')
      .filter({ has: agent.locator('legend', { hasText: t('ru', 'filter.rooms') }) });
    await rooms.getByRole('button', { name: t('ru', 'rooms.1'), exact: true }).click();
    await expectText(frame(buyer).locator('.rp-filter-summary'), t('ru', 'rooms.1'));
    await expectMirrored(agent, buyer, 'list', '.rp-view-head h2');

    await stage(agent).locator('tbody tr th button').first().click();
    await expectMirrored(agent, buyer, 'unit', '.rp-view-head h2');

    await stage(agent).locator('.rp-gallery-next').click();
    await stage(agent).locator('.rp-gallery-next').click();
    await expect
      .poll(() => textOf(frame(buyer).locator('.rp-gallery-position')), poll)
      .toBe(normalize(t('ru', 'gallery.position', { index: 3, total: 5 })));
  });

  test('the agent ends it and the phone shows the end screen', async () => {
    await agent.getByRole('button', { name: t('ru', 'live.end'), exact: true }).click();
    await agent
      .locator('.rp-console-confirm')
      .getByRole('button', { name: t('ru', 'app.confirm') })
      .click();
    await expectScreen(buyer, 'ended');
    await expectText(buyer.locator('.rp-viewer-notice h2'), t('ru', 'viewer.endedTitle'));
    await closeAll(
      () => phoneCtx.close(),
      () => agentCtx.close(),
    );
  });
});
