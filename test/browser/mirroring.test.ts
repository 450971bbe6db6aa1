/**
 * The agent's console mirrored to the buyer's phone, end to end in Chromium: a desktop agent and
 * an emulated phone, one presentation from the "Remote presentation" dialog to the end screen.
 * The steps share the two pages and run in order; each names what it proves.
 */
import type { Browser, BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { tc } from '../../src/screens/console/messages.js';
import { t } from '../../src/screens/i18n.js';
import {
  checkBothLanguages,
  expectFitsNarrowPhone,
  publishDocImage,
  publishSideBySide,
} from './buyer-checks.js';
import {
  UI_TIMEOUT,
  agentContext,
  closeAll,
  closeDialog,
  cspViolations,
  expectAccessible,
  expectNoRawKeys,
  expectScreen,
  expectText,
  launchChromium,
  phoneContext,
  presentFromDialog,
  recordPage,
  reportCspViolations,
  saveScreenshot,
  signIn,
  startTestServer,
  frame,
  normalize,
  stage,
  textOf,
} from './support.js';
import type { PageRecord, TestServer } from './support.js';

const BUYER = { name: 'Мария Иванова', contact: '+7 916 555-12-34' };
const poll = { timeout: UI_TIMEOUT, interval: 50 };

let srv: TestServer;
let browser: Browser;
let agentCtx: BrowserContext;
let phoneCtx: BrowserContext;
/** The agent's tab that presents now; the agent opens and closes tabs as the story goes. */
let agent: Page;
let buyer: Page;
let buyerCdp: CDPSession;
let link = '';
let unitNumber = '';

/** What the buyer's page did, recorded for the whole story. */
let seen: PageRecord;

beforeAll(async () => {
  srv = await startTestServer();
  browser = await launchChromium();
  agentCtx = await agentContext(browser);
  phoneCtx = await phoneContext(browser);
  await reportCspViolations(phoneCtx);
  agent = await agentCtx.newPage();
});

afterAll(() =>
  closeAll(
    () => browser.close(),
    () => srv.close(),
  ),
);

// ---------------------------------------------------------------- helpers

/**
 * Waits for the agent's stage to show `view` (and `expected` at `selector`, when given: a click
 * that changes no view is rendered a moment later), then for the phone to show the same view
 * with the same text at `selector`, the heading by default: the text that names the state.
 */
async function expectMirrored(
  view: string,
  selector = '.rp-view-head h2',
  expected?: string,
): Promise<string> {
  await expect.poll(() => stage(agent).getAttribute('data-view'), poll).toBe(view);
  if (expected !== undefined) {
    await expect.poll(() => textOf(stage(agent).locator(selector)), poll).toBe(expected);
  }
  const shown = await textOf(stage(agent).locator(selector));
  expect(shown).not.toBe('');
  await expect.poll(() => frame(buyer).getAttribute('data-view'), poll).toBe(view);
  await expect.poll(() => textOf(frame(buyer).locator(selector)), poll).toBe(shown);
  return shown;
}

/** The gallery's caption, «3 из 5». */
const picture = (index: number) => t('ru', 'gallery.position', { index, total: 5 });

const navButton = (page: Page, view: 'overview' | 'grid' | 'floor' | 'list' | 'unit') =>
  page.locator('.rp-console-nav-item', { hasText: t('ru', `view.${view}`) });

async function openPresentations(page: Page): Promise<Locator> {
  await page
    .locator('.rp-console-header button', { hasText: tc('ru', 'presentations.open') })
    .click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('table').waitFor({ timeout: UI_TIMEOUT });
  return dialog;
}

async function openConsoleTab(): Promise<Page> {
  const page = await agentCtx.newPage();
  await page.goto(srv.url);
  await page.locator('.rp-console-workspace').waitFor({ timeout: UI_TIMEOUT });
  return page;
}

/** A horizontal swipe with one finger, as a phone's touch screen sends it. */
async function swipeLeft(cdp: CDPSession, target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error('nothing to swipe');
  const y = box.y + box.height / 2;
  const from = box.x + box.width * 0.8;
  const to = box.x + box.width * 0.2;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y }] });
  for (let step = 1; step <= 6; step += 1) {
    const x = from + ((to - from) * step) / 6;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** A vertical swipe with one finger in the middle of the phone's screen, upwards. */
async function swipeUp(cdp: CDPSession): Promise<void> {
  const x = 195;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: 600 }] });
  for (let step = 1; step <= 6; step += 1) {
    const y = 600 - 50 * step;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** How far down `selector` the page is scrolled, as the screens measure it (0 top, 1 bottom). */
function scrolledFraction(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const view = document.querySelector<HTMLElement>(sel);
    if (!view) return -1;
    const top = view.getBoundingClientRect().top + window.scrollY;
    const range = view.offsetHeight - window.innerHeight;
    return range <= 0 ? 0 : (window.scrollY - top) / range;
  }, selector);
}

/** Scrolls the agent's window so the view stands at `fraction`, as the agent's wheel would. */
async function agentScrollsTo(fraction: number): Promise<void> {
  await agent.evaluate((f) => {
    const view = document.querySelector<HTMLElement>('.rp-console-stage')!;
    const top = view.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, top + f * (view.offsetHeight - window.innerHeight));
  }, fraction);
}

// ---------------------------------------------------------------- the story

describe('one presentation, from the dialog to the end screen', () => {
  test('the agent signs in; the sign-in form and the workspace pass axe', async () => {
    await agent.goto(srv.url);
    await agent.locator('input[type=email]').waitFor();
    await expectAccessible(agent, 'console sign-in');
    await saveScreenshot(agent, 'console-login');

    await signIn(agent, srv.url);
    await expectAccessible(agent, 'console workspace');
    await expectNoRawKeys(agent, 'console workspace');
  });

  test('the agent starts a presentation from the dialog, creating the buyer on the fly', async () => {
    await agent.locator('.rp-console-header .rp-shell-primary').click();
    const dialog = agent.locator('dialog[open]');
    await dialog.locator('.rp-console-segmented label').nth(1).click();
    await dialog.locator('input[type=text]').first().waitFor();
    await expectAccessible(agent, 'presentation dialog');
    await saveScreenshot(agent, 'console-present-dialog');
    await closeDialog(agent);

    link = await presentFromDialog(agent, BUYER);
    expect(link).toMatch(new RegExp(`^${srv.url}/p/[A-Za-z0-9_-]{20,}$`));
    await expectAccessible(agent, 'share dialog');
    await saveScreenshot(agent, 'console-share-dialog');
    await closeDialog(agent);

    await expectText(agent.locator('.rp-console-live'), BUYER.name);
    await expectText(agent.locator('.rp-console-presence-headline'), t('ru', 'live.waiting'));
  });

  test("the buyer opens the link on a phone and sees the agent's current view", async () => {
    buyer = await phoneCtx.newPage();
    ({ record: seen, cdp: buyerCdp } = await recordPage(buyer));

    await buyer.goto(link);
    await expectScreen(buyer, 'live');
    await expectText(buyer.locator('.rp-viewer-indicator'), t('ru', 'viewer.live'));
    await expectMirrored('overview');
    await expectText(
      agent.locator('.rp-console-presence-headline'),
      t('ru', 'live.watching', { device: t('ru', 'device.phone') }),
    );
  });

  test('grid, floor plan and list: each view the agent opens appears on the phone, and fits 360 px', async () => {
    await navButton(agent, 'grid').click();
    await expectMirrored('grid');
    await expectFitsNarrowPhone(buyer, 'the grid');

    await navButton(agent, 'floor').click();
    await expectMirrored('floor', '.rp-stepper-value');
    await expectFitsNarrowPhone(buyer, 'the floor plan');

    await navButton(agent, 'list').click();
    await expectMirrored('list');
    await expectFitsNarrowPhone(buyer, 'the list');
  });

  test('scroll: the phone follows how far down the list the agent is, until the buyer scrolls, and back', async () => {
    const phoneAt = () => scrolledFraction(buyer, '.rp-viewer-frame');
    await agentScrollsTo(0.5);
    await expect.poll(phoneAt, poll).toBeGreaterThan(0.45);
    expect(await phoneAt()).toBeLessThan(0.55);
    await expectText(buyer.locator('.rp-viewer-follow'), t('ru', 'viewer.following'));

    // The buyer's own swipe takes the phone over, and the bar offers the way back.
    await swipeUp(buyerCdp);
    await expectText(buyer.locator('.rp-viewer-follow-away'), t('ru', 'viewer.lookingAround'));
    await agentScrollsTo(0.9);
    await expect
      .poll(() => scrolledFraction(agent, '.rp-console-stage'), poll)
      .toBeGreaterThan(0.85);
    await buyer.getByRole('button', { name: t('ru', 'viewer.backToAgent') }).click();
    await expect.poll(phoneAt, poll).toBeGreaterThan(0.85);
    await expectText(buyer.locator('.rp-viewer-follow'), t('ru', 'viewer.following'));

    await agentScrollsTo(0);
    await expect.poll(phoneAt, poll).toBeLessThan(0.05);
  });

  test('filters: a rooms chip and a price range reach the phone as chips and the same count', async () => {
    const rooms = agent
      .locator('.rp-filters fieldset')
      .filter({ has: agent.locator('legend', { hasText: t('ru', 'filter.rooms') }) });
    await rooms.getByRole('button', { name: t('ru', 'rooms.2'), exact: true }).click();
    await expectText(frame(buyer).locator('.rp-filter-summary'), t('ru', 'rooms.2'));
    await expectMirrored('list');

    const price = agent
      .locator('.rp-filters fieldset')
      .filter({ has: agent.locator('legend', { hasText: t('ru', 'filter.price') }) });
    await price.locator('input').nth(0).fill('17');
    await price.locator('input').nth(0).press('Tab');
    await price.locator('input').nth(1).fill('24');
    await price.locator('input').nth(1).press('Tab');

    const chips = frame(buyer).locator('.rp-filter-summary .rp-chip');
    await expect
      .poll(async () => (await chips.allInnerTexts()).map(normalize), poll)
      .toEqual([t('ru', 'rooms.2'), expect.stringMatching(/^Цена 17.*24/)]);
    await expectMirrored('list');
    expect(await stage(agent).locator('tbody tr').count()).toBeGreaterThan(0);
  });

  test('a unit: its card, then its cell on the grid, are the same on the phone', async () => {
    await stage(agent).locator('tbody tr th button').first().click();
    const heading = await expectMirrored('unit');
    unitNumber = heading.replace(/^\D+/, '');
    expect(unitNumber).not.toBe('');

    await agent.getByRole('button', { name: t('ru', 'unit.showOnGrid') }).click();
    await expectMirrored('grid');
    const selected = frame(buyer).locator('.rp-cell[aria-current="true"]');
    await expectText(selected, t('ru', 'place.unitShort', { number: unitNumber }));

    await stage(agent).locator('button.rp-cell[aria-current="true"]').click();
    await expectMirrored('unit');
  });

  test('the gallery: the agent pages it and the phone shows the same picture', async () => {
    const next = stage(agent).locator('.rp-gallery-next');
    await next.click();
    await next.click();
    await expectMirrored('unit', '.rp-gallery-position', picture(3));

    const paths = await checkBothLanguages(buyer, 'viewer-live', async (lang) => {
      await expectText(buyer.locator('.rp-viewer-indicator'), t(lang, 'viewer.live'));
      await expectText(
        frame(buyer).locator('.rp-gallery-position'),
        t(lang, 'gallery.position', { index: 3, total: 5 }),
      );
    });
    publishDocImage(paths.ru, 'viewer-live.png');

    // The console with its live bar, in both languages, and the README's picture of the two.
    for (const lang of ['en', 'ru'] as const) {
      await agent.locator('.rp-shell-lang').click();
      await expect.poll(() => agent.evaluate(() => document.documentElement.lang)).toBe(lang);
      await expectNoRawKeys(agent, `console live (${lang})`);
      await expectAccessible(agent, `console live (${lang})`);
      await saveScreenshot(agent, `console-live-${lang}`);
    }
    publishDocImage(await saveScreenshot(agent, 'console-live'), 'console-live.png');
    await publishSideBySide(
      browser,
      await agent.screenshot(),
      await buyer.screenshot(),
      'readme-mirroring.png',
    );
  });

  test('the buyer looks around by swiping the gallery, and snaps back with one tap', async () => {
    await swipeLeft(buyerCdp, frame(buyer).locator('.rp-gallery-image'));
    await expectText(frame(buyer).locator('.rp-gallery-position'), picture(4));
    await expectText(buyer.locator('.rp-viewer-follow-away'), t('ru', 'viewer.lookingAround'));
    // Looking around is the phone's own: the agent's screen did not move.
    expect(await textOf(stage(agent).locator('.rp-gallery-position'))).toBe(picture(3));
    await checkBothLanguages(buyer, 'viewer-looking-around');

    await buyer.getByRole('button', { name: t('ru', 'viewer.backToAgent') }).click();
    await expectText(frame(buyer).locator('.rp-gallery-position'), picture(3));
    await expectText(buyer.locator('.rp-viewer-follow'), t('ru', 'viewer.following'));
  });

  test('a second tab is told that another tab presents, and takes over with one click', async () => {
    const first = agent;
    const second = await openConsoleTab();
    const list = await openPresentations(second);
    await list.getByRole('button', { name: t('ru', 'presentations.reopen') }).click();

    await expectText(second.locator('.rp-console-takeover'), t('ru', 'takeover.title'));
    await expectText(second.locator('.rp-console-stage'), tc('ru', 'console.readOnlyHere'));
    await expectAccessible(second, 'console standing by');
    await saveScreenshot(second, 'console-takeover');

    await second.locator('.rp-console-takeover button').click();
    await expectText(first.locator('.rp-console-takeover'), t('ru', 'takeover.title'));
    await expect.poll(() => second.locator('.rp-console-takeover').count(), poll).toBe(0);

    agent = second;
    await stage(agent).locator('.rp-gallery-next').click();
    await expectMirrored('unit', '.rp-gallery-position', picture(4));
    await first.close();
  });

  test('the agent closes the tab: the phone keeps the last frame under an "agent reconnecting" banner', async () => {
    await agent.close();
    await expectScreen(buyer, 'agentAway');
    await expectText(buyer.locator('.rp-viewer-banner'), t('ru', 'viewer.agentAway'));
    await expect.poll(() => frame(buyer).getAttribute('data-view'), poll).toBe('unit');

    const paths = await checkBothLanguages(buyer, 'viewer-agent-away', async (lang) => {
      await expectText(buyer.locator('.rp-viewer-banner'), t(lang, 'viewer.agentAway'));
    });
    publishDocImage(paths.ru, 'viewer-agent-away.png');
  });

  test('the agent opens the console again and resumes from "my presentations": the phone is live again', async () => {
    agent = await openConsoleTab();
    const list = await openPresentations(agent);
    await expectText(list.locator('tbody'), t('ru', 'presentations.agentAway'));
    await expectAccessible(agent, 'presentations dialog');
    await saveScreenshot(agent, 'console-presentations');
    await list.getByRole('button', { name: t('ru', 'presentations.reopen') }).click();

    await expectScreen(buyer, 'live');
    await expectText(buyer.locator('.rp-viewer-indicator'), t('ru', 'viewer.live'));
    // The console resumes where the presentation was, not where a fresh tab starts.
    await expectMirrored('unit', '.rp-gallery-position', picture(4));

    await stage(agent).locator('.rp-gallery-next').click();
    await expectMirrored('unit', '.rp-gallery-position', picture(5));
  });

  test("the agent ends it: the phone shows the recap of units shown and the agent's contact", async () => {
    await agent.getByRole('button', { name: t('ru', 'live.end'), exact: true }).click();
    await agent
      .locator('.rp-console-confirm')
      .getByRole('button', { name: t('ru', 'app.confirm') })
      .click();

    await expectScreen(buyer, 'ended');
    await expectText(buyer.locator('.rp-viewer-notice h2'), t('ru', 'viewer.endedTitle'));
    await expectText(buyer.locator('.rp-viewer-notice'), t('ru', 'viewer.endedByAgent'));
    const recap = buyer.locator('.rp-viewer-recap-list li');
    await expectText(recap, `Кв. ${unitNumber}`);
    await expectText(buyer.locator('.rp-viewer-contact'), 'Анна Смирнова');
    expect(await buyer.locator('.rp-viewer-contact a').getAttribute('href')).toBe(
      'tel:+74950000001',
    );

    const paths = await checkBothLanguages(buyer, 'viewer-ended', async (lang) => {
      await expectText(buyer.locator('.rp-viewer-notice h2'), t(lang, 'viewer.endedTitle'));
      await expectText(buyer.locator('.rp-viewer-recap h3'), t(lang, 'viewer.recapTitle'));
    });
    publishDocImage(paths.ru, 'viewer-ended.png');

    await expectText(agent.locator('.rp-console-finished'), tc('ru', 'live.closedTitle'));
    await expectAccessible(agent, 'console after the end');
    await saveScreenshot(agent, 'console-finished');
  });

  test('the phone page ran under its CSP with no violation, and no request carried the token in a Referer', async () => {
    const token = link.split('/p/')[1] ?? '';
    expect(token.length).toBeGreaterThan(20);

    expect(cspViolations(seen)).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
    expect(seen.dialogs).toEqual([]);

    // Every request after the page itself: scripts, styles, the socket's handshake.
    expect(seen.requests.length).toBeGreaterThan(3);
    expect(seen.requests.filter((r) => r.url === 'websocket').length).toBeGreaterThan(0);
    expect(seen.requests.filter((r) => r.referer.includes(token))).toEqual([]);
  });
});
