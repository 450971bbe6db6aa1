/**
 * Beyond mirroring, end to end in Chromium (SPEC R29–R32): the buyer's reactions on the
 * agent's screen, a unit's status changed live on both screens, the session record, handing
 * the presentation to a colleague, and the recap the link opens after the end. The steps share
 * one agent's console and one phone and run in order; each names what it proves.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { Unit } from '../../src/core/inventory.js';
import type { Reaction } from '../../src/core/protocol.js';
import type { PresenterClient } from '../../src/sdk/index.js';
import { tx } from '../../src/screens/app/i18n-extra.js';
import { tc } from '../../src/screens/console/messages.js';
import { t } from '../../src/screens/i18n.js';
import { checkBothLanguages, switchLang } from './buyer-checks.js';
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
  nodePresenter,
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

const BUYER = { name: 'Ольга Соколова', contact: '+7 916 555-77-88' };
const COLLEAGUE = { email: 'ekaterina@demo.local', name: 'Екатерина Волкова' };
const poll = { timeout: UI_TIMEOUT, interval: 50 };

let srv: TestServer;
let browser: Browser;
let agentCtx: BrowserContext;
let phoneCtx: BrowserContext;
let agent: Page;
let buyer: Page;
let seen: PageRecord;
let link = '';
/** The unit the story is about: its number and its short type as the console lists them. */
let unitNumber = '';
let unitType = '';

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

const feed = (page: Page) => page.locator('.rp-console-reaction-list li');
const reactionButton = (page: Page, name: string) =>
  page.locator('.rp-viewer-reactions').getByRole('button', { name });

/** Waits for both screens to show `view` with the same heading; returns the heading. */
async function expectMirrored(view: string): Promise<string> {
  const heading = '.rp-view-head h2';
  await expect.poll(() => stage(agent).getAttribute('data-view'), poll).toBe(view);
  const shown = await textOf(stage(agent).locator(heading));
  expect(shown).not.toBe('');
  await expect.poll(() => frame(buyer).getAttribute('data-view'), poll).toBe(view);
  await expect.poll(() => textOf(frame(buyer).locator(heading)), poll).toBe(shown);
  return shown;
}

async function openPresentations(page: Page, lang: 'ru' | 'en' = 'ru'): Promise<Locator> {
  await page
    .locator('.rp-console-header button', { hasText: tc(lang, 'presentations.open') })
    .click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('table').waitFor({ timeout: UI_TIMEOUT });
  return dialog;
}

async function switchConsoleLang(page: Page, lang: 'ru' | 'en'): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)) === lang) return;
  await page.locator('.rp-console-header .rp-shell-lang').click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang), poll).toBe(lang);
}

/** The presentation's id, as its current owner lists it. */
async function presentationIdOf(email: string): Promise<string> {
  const owner = await srv.agent(email);
  type Answer = { presentations: { id: string; buyer: { name: string } }[] };
  const { body } = await owner.api<Answer>('GET', '/api/v1/presentations');
  const found = body.presentations.find((p) => p.buyer.name === BUYER.name);
  if (!found) throw new Error(`${email} has no presentation for ${BUYER.name}`);
  return found.id;
}

// ---------------------------------------------------------------- the story

describe('beyond mirroring: reactions, live status, record, handoff, recap', () => {
  test('the phone shows a reaction bar under the unit the agent opens: large targets, nothing covered, both languages', async () => {
    await signIn(agent, srv.url);
    link = await presentFromDialog(agent, BUYER);
    await closeDialog(agent);

    buyer = await phoneCtx.newPage();
    ({ record: seen } = await recordPage(buyer));
    await buyer.goto(link);
    await expectScreen(buyer, 'live');

    // An available unit, so that the agent can reserve it later in the story.
    await agent.locator('.rp-console-nav-item', { hasText: t('ru', 'view.list') }).click();
    await expectMirrored('list');
    const row = stage(agent)
      .locator('tbody tr')
      .filter({ has: agent.locator('.rp-status-available') })
      .first();
    unitType = normalize(await row.locator('td').nth(1).innerText());
    await row.locator('th button').click();
    unitNumber = (await expectMirrored('unit')).replace(/^\D+/, '');
    expect(unitNumber).not.toBe('');

    const buttons = buyer.locator('.rp-viewer-reactions button');
    await expect.poll(() => buttons.count(), poll).toBe(3);
    for (const box of await Promise.all((await buttons.all()).map((b) => b.boundingBox()))) {
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(box?.width ?? 0).toBeGreaterThanOrEqual(44);
    }

    // The bar keeps its own room at the end of the page: the footer's last line stays above it.
    await buyer.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect
      .poll(async () => {
        const footer = await buyer.locator('.rp-viewer-footer').boundingBox();
        const dock = await buyer.locator('.rp-viewer-dock').boundingBox();
        return footer && dock ? dock.y - (footer.y + footer.height) : -1;
      }, poll)
      .toBeGreaterThanOrEqual(0);

    await checkBothLanguages(buyer, 'viewer-reactions', async (lang) => {
      await expectText(buyer.locator('.rp-viewer-reactions'), t(lang, 'viewer.like'));
      await expectText(buyer.locator('.rp-viewer-reactions'), tx(lang, 'viewer.moreInfo'));
      await expectText(buyer.locator('.rp-viewer-reactions'), t(lang, 'viewer.callMe'));
    });
  });

  test('R29: the buyer hearts the unit and asks for a call: the console shows both at once, with the unit and the device', async () => {
    const heart = reactionButton(buyer, t('ru', 'viewer.like'));
    await heart.click();
    await expect.poll(() => heart.getAttribute('aria-pressed'), poll).toBe('true');
    await expectText(buyer.locator('.rp-viewer-reaction-note'), t('ru', 'viewer.liked'));

    await reactionButton(buyer, t('ru', 'viewer.callMe')).click();
    await expectText(buyer.locator('.rp-viewer-reaction-note'), t('ru', 'viewer.callMeSent'));

    // The newest first: "call me" names the unit that was on screen, the heart its unit.
    await expect.poll(() => feed(agent).count(), poll).toBe(2);
    const [callMe, liked] = (await feed(agent).allInnerTexts()).map(normalize);
    expect(callMe).toContain(t('ru', 'live.buyerCallMe'));
    expect(callMe).toContain(`кв. ${unitNumber} (${unitType})`);
    expect(liked).toContain(`${t('ru', 'live.buyerLiked', { number: unitNumber })} (${unitType})`);
    for (const entry of [callMe, liked]) expect(entry).toContain(t('ru', 'device.phone'));

    // A second heart on the same unit is not sent again; the phone says, calmly, that it was.
    await heart.click();
    await expectText(buyer.locator('.rp-viewer-reaction-note'), tx('ru', 'viewer.alreadySent'));
    await expect.poll(() => heart.getAttribute('aria-pressed'), poll).toBe('true');
    expect(await feed(agent).count()).toBe(2);

    await checkBothLanguages(buyer, 'viewer-reactions-sent');
    for (const lang of ['en', 'ru'] as const) {
      await switchConsoleLang(agent, lang);
      await expectText(agent.locator('.rp-console-reactions h3'), tc(lang, 'reactions.title'));
      await expectNoRawKeys(agent, `console reactions (${lang})`);
      await expectAccessible(agent, `console reactions (${lang})`);
      await saveScreenshot(agent, `console-reactions-${lang}`);
    }
  });

  test('R30: the agent reserves the unit on screen: the phone says so in words, and both grids show it reserved', async () => {
    await stage(agent)
      .locator('.rp-console-unit-status')
      .getByRole('button', { name: tc('ru', 'unitStatus.reserve') })
      .click();

    await expectText(buyer.locator('.rp-viewer-news'), tx('ru', 'viewer.unitNow.reserved'));
    await expectText(
      frame(buyer).locator('.rp-unit-subtitle .rp-badge'),
      t('ru', 'status.reserved'),
    );
    await expectText(
      stage(agent).locator('.rp-console-unit-status .rp-badge'),
      t('ru', 'status.reserved'),
    );
    await checkBothLanguages(buyer, 'viewer-unit-reserved', async (lang) => {
      await expectText(buyer.locator('.rp-viewer-news'), tx(lang, 'viewer.unitNow.reserved'));
    });

    await agent.getByRole('button', { name: t('ru', 'unit.showOnGrid') }).click();
    await expectMirrored('grid');
    const selected = (page: Page) => page.locator('.rp-cell[aria-current="true"]');
    await expect
      .poll(() => selected(buyer).getAttribute('class'), poll)
      .toContain('rp-status-reserved');
    await expectText(selected(buyer), t('ru', 'status.reserved'));
    await expect
      .poll(() => selected(agent).getAttribute('class'), poll)
      .toContain('rp-status-reserved');
    // The heart is marked on the agent's grid, and only there.
    expect(await selected(agent).locator('.rp-cell-liked').count()).toBe(1);
    expect(await buyer.locator('.rp-cell-liked').count()).toBe(0);

    // Back to the card, so that the unit is on screen again when the story goes on.
    await stage(agent).locator('button.rp-cell[aria-current="true"]').click();
    await expectMirrored('unit');
  });

  test('the record lists the buyer device, the unit shown with its time on screen, and the reactions; CSV and JSON download', async () => {
    for (const lang of ['ru', 'en'] as const) {
      await switchConsoleLang(agent, lang);
      const list = await openPresentations(agent, lang);
      const row = list.locator('tbody tr', { hasText: BUYER.name });
      await row.getByRole('button', { name: tc(lang, 'presentations.record') }).click();

      const dialog = agent.locator('dialog[open]');
      await expectText(
        dialog.locator('.rp-console-dialog-head h2'),
        tc(lang, 'record.title', { name: BUYER.name }),
      );
      await expectText(
        dialog.locator('.rp-console-record-devices tbody tr'),
        t(lang, 'device.phone'),
      );
      const shown = dialog.locator('.rp-console-record-shown tbody tr', {
        hasText: t(lang, 'place.unitShort', { number: unitNumber }),
      });
      await expect.poll(() => shown.count(), poll).toBe(1);
      expect(normalize(await shown.innerText())).toMatch(/\d+:\d\d$/);

      const reactions = dialog.locator('.rp-console-record-reactions tbody tr');
      await expect.poll(() => reactions.count(), poll).toBe(2);
      const texts = (await reactions.allInnerTexts()).map(normalize);
      const hearted = texts.find((text) => text.includes(tc(lang, 'record.reaction.heart')));
      expect(hearted).toContain(t(lang, 'place.unitShort', { number: unitNumber }));
      expect(hearted).toContain(t(lang, 'device.phone'));
      expect(texts.some((text) => text.includes(tc(lang, 'record.reaction.call_me')))).toBe(true);

      await expectNoRawKeys(agent, `record dialog (${lang})`);
      await expectAccessible(agent, `record dialog (${lang})`);
      await saveScreenshot(agent, `console-record-${lang}`);
      await closeDialog(agent);
    }
    await switchConsoleLang(agent, 'ru');

    const list = await openPresentations(agent);
    const row = list.locator('tbody tr', { hasText: BUYER.name });
    const csvHref = await row
      .getByRole('link', { name: new RegExp(`^${tc('ru', 'presentations.exportCsv')}`) })
      .getAttribute('href');
    const jsonHref = await row
      .getByRole('link', { name: new RegExp(`^${tc('ru', 'presentations.exportJson')}`) })
      .getAttribute('href');
    expect(csvHref).toMatch(/\/record\?format=csv$/);
    expect(jsonHref).toMatch(/\/record$/);

    // The links download with the agent's own session cookie.
    const csv = await agentCtx.request.get(`${srv.url}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain('reaction');
    const json = await agentCtx.request.get(`${srv.url}${jsonHref}`);
    expect(json.status()).toBe(200);
    const record = (await json.json()) as { reactions: unknown[]; shown: unknown[] };
    expect(record.reactions).toHaveLength(2);
    expect(record.shown.length).toBeGreaterThan(0);
    await closeDialog(agent);
  });

  test('R31: the agent hands the presentation to a colleague: the phone names her, the old console says it was handed over', async () => {
    await agent.getByRole('button', { name: tc('ru', 'handoff.button') }).click();
    const dialog = agent.locator('dialog[open]');
    const email = dialog.locator('input[type=email]');
    await email.waitFor();

    // A mistyped address is answered in words, and nothing is handed over.
    await email.fill('nobody@demo.local');
    await dialog.locator('button[type=submit]').click();
    await expectText(dialog.locator('[role=alert]'), tc('ru', 'handoff.notFound'));
    await expectNoRawKeys(agent, 'handoff dialog');
    await expectAccessible(agent, 'handoff dialog');
    await saveScreenshot(agent, 'console-handoff');

    await email.fill(COLLEAGUE.email);
    await dialog.locator('button[type=submit]').click();

    await expectText(
      buyer.locator('.rp-viewer-agent'),
      t('ru', 'viewer.presentedBy', { agent: COLLEAGUE.name }),
    );
    await expectText(agent.locator('.rp-console-finished h2'), tc('ru', 'live.handedOffTitle'));
    await expectText(
      agent.locator('.rp-console-finished'),
      tc('ru', 'live.closedReason.handed_off', { name: COLLEAGUE.name }),
    );
    expect(await agent.locator('.rp-console-live').count()).toBe(0);
    expect(await agent.locator('.rp-console-error').count()).toBe(0);

    for (const lang of ['en', 'ru'] as const) {
      await switchConsoleLang(agent, lang);
      await expectText(
        agent.locator('.rp-console-finished'),
        tc(lang, 'live.closedReason.handed_off', { name: COLLEAGUE.name }),
      );
      await expectNoRawKeys(agent, `console handed off (${lang})`);
      await expectAccessible(agent, `console handed off (${lang})`);
    }
    await saveScreenshot(agent, 'console-handed-off');

    // The presentation is hers now, and only hers.
    await expect(presentationIdOf('anna@demo.local')).rejects.toThrow();
    expect(await presentationIdOf(COLLEAGUE.email)).not.toBe('');
  });

  test('R32: after the end the link opens the recap from the server, in a fresh browser and with session storage cleared', async () => {
    const colleague = await srv.agent(COLLEAGUE.email);
    const id = await presentationIdOf(COLLEAGUE.email);
    expect((await colleague.api('POST', `/api/v1/presentations/${id}/end`)).status).toBe(200);

    await expectScreen(buyer, 'ended');
    await expectText(
      buyer.locator('.rp-viewer-recap-list li'),
      t('ru', 'place.unitShort', { number: unitNumber }),
    );

    // A phone that never watched: nothing in its storage, so the recap can only be the server's.
    const fresh = await phoneContext(browser);
    try {
      const page = await fresh.newPage();
      await page.goto(link);
      await expectScreen(page, 'ended');
      const recap = page.locator('.rp-viewer-recap');
      await expect.poll(() => recap.getAttribute('data-source'), poll).toBe('server');
      const card = recap.locator('.rp-viewer-recap-card', {
        hasText: t('ru', 'place.unitShort', { number: unitNumber }),
      });
      await expect.poll(() => card.count(), poll).toBe(1);
      // It was reserved during the call, and the recap shows it as it stands now.
      await expectText(card.locator('.rp-badge'), t('ru', 'status.reserved'));
      expect(normalize(await page.locator('.rp-viewer-recap-until').innerText())).not.toBe('');
      await expectText(page.locator('.rp-viewer-contact'), COLLEAGUE.name);
      await checkBothLanguages(page, 'viewer-recap-server', async (lang) => {
        await expectText(page.locator('.rp-viewer-recap h3'), t(lang, 'viewer.recapTitle'));
      });
    } finally {
      await fresh.close();
    }

    // The phone that watched, its session storage cleared, reloads: the server's recap again.
    await buyer.evaluate(() => window.sessionStorage.clear());
    await buyer.reload();
    await expectScreen(buyer, 'ended');
    await expect
      .poll(() => buyer.locator('.rp-viewer-recap').getAttribute('data-source'), poll)
      .toBe('server');
    await expectText(
      buyer.locator('.rp-viewer-recap-list li'),
      t('ru', 'place.unitShort', { number: unitNumber }),
    );
  });

  test("the buyer's page ran without a page error or a CSP violation", () => {
    expect(seen.pageErrors).toEqual([]);
    expect(cspViolations(seen)).toEqual([]);
  });
});

describe('reactions beyond the rate limit', () => {
  let presenter: PresenterClient | null = null;

  afterAll(() => presenter?.close());

  test('R29: a sixth reaction within 10 s is refused, and the phone says calmly that the earlier ones arrived', async () => {
    const owner = await srv.agent();
    const created = await owner.present({ buyer: { name: 'Пётр Быстров', contact: '+7 900 1' } });
    const client = await nodePresenter(srv, owner, created.id);
    presenter = client;
    const received: Reaction[] = [];
    client.on('reaction', (reaction) => received.push(reaction));

    type Inventory = { units: Unit[] };
    const { body } = await owner.api<Inventory>('GET', '/api/v1/inventory');
    const units = body.units.filter((u) => u.status === 'available').slice(0, 3);
    expect(units).toHaveLength(3);

    const page = await phoneCtx.newPage();
    try {
      await page.goto(created.url);
      await expectScreen(page, 'live');
      const note = page.locator('.rp-viewer-reaction-note');

      // Two reactions on each of two units, "call me", then a heart on a third unit: six.
      const open = async (unit: Unit) => {
        expect(client.change({ view: 'unit', unitId: unit.id })).toBe(true);
        const heading = t('ru', 'place.unit', { number: unit.number });
        await expect
          .poll(() => textOf(frame(page).locator('.rp-view-head h2')), poll)
          .toBe(heading);
      };
      for (const unit of units.slice(0, 2)) {
        await open(unit);
        await reactionButton(page, t('ru', 'viewer.like')).click();
        await reactionButton(page, tx('ru', 'viewer.moreInfo')).click();
      }
      await reactionButton(page, t('ru', 'viewer.callMe')).click();
      await open(units[2]!);
      const heart = reactionButton(page, t('ru', 'viewer.like'));
      await heart.click();

      await expectText(note, tx('ru', 'viewer.reactionsPaused'));
      // Refused, so not marked as sent: the buyer may send it again in a moment.
      await expect.poll(() => heart.getAttribute('aria-pressed'), poll).toBe('false');
      await expect.poll(() => received.length, poll).toBe(5);
      await switchLang(page, 'en');
      await expectText(note, tx('en', 'viewer.reactionsPaused'));
      await expectNoRawKeys(page, 'reactions paused (en)');
      await switchLang(page, 'ru');
    } finally {
      await page.close();
    }
  });
});
