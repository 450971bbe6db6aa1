/**
 * The buyer's first frame comes from a cut of the inventory embedded in the page (the section
 * shown, the units named); the whole inventory follows once the page is live. These tests
 * prove the phone never draws a wrong frame in between: a place outside the cut waits, on the
 * last frame, for the whole inventory, and the fetch carries the link's token in a header only.
 */
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { Section } from '../../src/core/inventory.js';
import type { ViewPatch } from '../../src/core/view-state.js';
import type { PresenterClient } from '../../src/sdk/index.js';
import { generateDemoInventory } from '../../src/server/inventory/demo.js';
import { t } from '../../src/screens/i18n.js';
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

const demo = generateDemoInventory();
const [first, second] = demo.complex.buildings.flatMap((b) => b.sections) as [Section, Section];
const nameOf = (section: Section) =>
  demo.complex.buildings.find((b) => b.id === section.buildingId)!.name;
const heading = (section: Section) =>
  `${nameOf(section)} · ${t('ru', 'place.section', { number: section.number })}`;
const gridOf = (section: Section): ViewPatch => ({
  view: 'grid',
  buildingId: section.buildingId,
  sectionId: section.id,
  unitId: null,
});

let srv: TestServer;
let browser: Browser;
let phone: BrowserContext;
let agent: ApiAgent;
let presenter: PresenterClient | undefined;

beforeAll(async () => {
  srv = await startTestServer({ HEARTBEAT_SECONDS: '300' });
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

async function settled(client: PresenterClient): Promise<void> {
  await expect.poll(() => client.pending, { timeout: UI_TIMEOUT, interval: 20 }).toBe(0);
}

describe("the buyer's first frame", () => {
  test('a section outside the first cut is drawn only once the whole inventory is in', async () => {
    const { id, url, token } = await agent.present();
    presenter = await nodePresenter(srv, agent, id);
    presenter.change(gridOf(first));
    await settled(presenter);

    const page = await phone.newPage();
    // Hold the whole inventory back until the agent has moved past the cut.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const asked: Record<string, string>[] = [];
    await page.route('**/api/v1/viewer/inventory/**', async (route: Route) => {
      asked.push(await route.request().allHeaders());
      await released;
      await route.continue();
    });

    await page.goto(url);
    await expectScreen(page, 'live');
    await expectText(page.locator('.rp-grid h2'), heading(first));
    await expect.poll(() => asked.length, { timeout: UI_TIMEOUT, interval: 20 }).toBe(1);

    // The agent opens another section: the cut cannot draw it, so the phone keeps its frame
    // rather than draw an empty grid.
    presenter.change(gridOf(second));
    await settled(presenter);
    await page.waitForTimeout(300);
    await expectText(page.locator('.rp-grid h2'), heading(first));
    expect(await page.locator('.rp-grid .rp-cell').count()).toBe(
      demo.units.filter((u) => u.sectionId === first.id).length,
    );

    release();
    await expectText(page.locator('.rp-grid h2'), heading(second));
    expect(await page.locator('.rp-grid .rp-cell').count()).toBe(
      demo.units.filter((u) => u.sectionId === second.id).length,
    );

    // The token went in its header, with no cookie and no Referer beside it.
    expect(asked[0]!['x-viewer-token']).toBe(decodeURIComponent(token));
    expect(asked[0]!.referer).toBeUndefined();
    expect(asked[0]!.cookie).toBeUndefined();
    await page.close();
    presenter.close();
    presenter = undefined;
  });
});
