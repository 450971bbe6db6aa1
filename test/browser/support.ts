/**
 * What the browser tests share: Debian's Chromium launched the one way this machine allows, a
 * real server started in-process on the built screens, the agent's desktop and the buyer's phone
 * as Playwright contexts, and the checks every screen gets (axe, raw i18n keys, screenshots).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import pino from 'pino';
import { chromium } from 'playwright-core';
import type {
  Browser,
  BrowserContext,
  CDPSession,
  LaunchOptions,
  Locator,
  Page,
} from 'playwright-core';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';

import { PresenterClient } from '../../src/sdk/index.js';
import type { WebSocketLike } from '../../src/sdk/index.js';
import { startServer } from '../../src/server/app.js';
import type { RunningServer } from '../../src/server/app.js';
import { systemClock } from '../../src/server/clock.js';
import type { Clock } from '../../src/server/clock.js';
import { loadConfig } from '../../src/server/config.js';
// The console's strings join the dictionary as the console's page adds them, so that the tests'
// own `t(lang, 'live.…')` finds what the console shows.
import '../../src/screens/console/strings.js';
import { openStore } from '../../src/server/storage/open.js';
import type { Store } from '../../src/server/storage/store.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');
export const DOC_IMAGES = join(ROOT, 'docs', 'images');
/** Set to refresh the curated screenshots under docs/images from a test run. */
export const UPDATE_DOC_IMAGES = process.env.UPDATE_DOC_IMAGES === '1';

/** The flags this machine requires: root, no GPU, and no traffic to Google's services. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(extra: Partial<LaunchOptions> = {}): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ...extra });
}

/** Generous for a noisy two-core machine; a state that is right arrives well before. */
export const UI_TIMEOUT = 15_000;

// ---------------------------------------------------------------- server

export interface TestServer {
  server: RunningServer;
  url: string;
  store: Store;
  /** Signs in over HTTP, for setting up what the test does not drive through the console. */
  agent(email?: string): Promise<ApiAgent>;
  close(): Promise<void>;
}

export interface ApiAgent {
  /** The session cookie, for SDK clients started from the test. */
  cookie: string;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Creates a presentation for a new buyer and returns its id and the buyer's link. */
  present(options?: {
    buyer?: { name: string; contact: string };
    lifetimeMinutes?: number;
  }): Promise<{ id: string; url: string; token: string }>;
}

/**
 * Starts a server on the built screens (dist/screens) with the demo data, on the system clock
 * unless the test brings its own. A store opened by the caller lets a test seed the inventory.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock; store?: Store } = {},
): Promise<TestServer> {
  const store = options.store ?? (await openStore({ dataDir: ':memory:' }));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer({
    config,
    clock: options.clock ?? systemClock,
    store,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const url = server.url;

  async function agent(email = 'anna@demo.local'): Promise<ApiAgent> {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password' }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await res.json()) as { csrfToken: string };

    const api = async <T>(method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    };

    return {
      cookie,
      api,
      async present(opts = {}) {
        type Created = { presentation: { id: string }; link: { url: string } };
        const res = await api<Created>('POST', '/api/v1/presentations', {
          buyer: opts.buyer ?? { name: 'Иван Петров', contact: '+7 916 000-00-00' },
          ...(opts.lifetimeMinutes === undefined ? {} : { lifetimeMinutes: opts.lifetimeMinutes }),
        });
        if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
        const link = res.body.link.url;
        return { id: res.body.presentation.id, url: link, token: link.split('/p/')[1] ?? '' };
      },
    };
  }

  return {
    server,
    url,
    store,
    agent,
    async close() {
      await server.close();
      if (!options.store) await store.close();
    },
  };
}

/**
 * The agent's side driven from Node through the SDK, for tests about the phone that need the
 * agent to present and change things but not the console's screen. Resolves once it presents.
 */
export async function nodePresenter(
  srv: TestServer,
  agent: ApiAgent,
  presentationId: string,
): Promise<PresenterClient> {
  const presenter = new PresenterClient({
    baseUrl: srv.url,
    presentationId,
    webSocket: (address, protocols) =>
      new WebSocket(address, protocols, {
        headers: { cookie: agent.cookie, origin: srv.url },
      }) as unknown as WebSocketLike,
  });
  presenter.connect();
  try {
    await vi.waitFor(
      () => {
        if (!presenter.presenting) throw new Error('the presenter does not present yet');
      },
      { timeout: UI_TIMEOUT, interval: 20 },
    );
  } catch (error) {
    presenter.close();
    throw error;
  }
  return presenter;
}

// ---------------------------------------------------------------- contexts

/** Chromium on Android: the engine under test is Chromium, so the phone says so too. */
export const PHONE_USER_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/156.0.0.0 Mobile Safari/537.36';

export async function agentContext(browser: Browser, locale = 'ru-RU'): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale });
  context.setDefaultTimeout(UI_TIMEOUT);
  return context;
}

export async function phoneContext(
  browser: Browser,
  options: { locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    screen: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: PHONE_USER_AGENT,
    locale: options.locale ?? 'ru-RU',
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  return context;
}

// ---------------------------------------------------------------- waiting

/** Polls until the locator's text contains `expected` (auto-waiting, never a fixed sleep). */
export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  await expect
    .poll(async () => (await locator.count()) > 0 && (await locator.first().innerText()), {
      timeout: UI_TIMEOUT,
      interval: 50,
    })
    .toMatch(typeof expected === 'string' ? new RegExp(escapeRegExp(expected)) : expected);
}

/** Polls until the buyer's page is on the given screen (`data-screen` of the viewer's root). */
export async function expectScreen(page: Page, kind: string): Promise<void> {
  await expect
    .poll(() => page.locator('.rp-viewer').getAttribute('data-screen'), {
      timeout: UI_TIMEOUT,
      interval: 50,
    })
    .toBe(kind);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------- the console

/** Signs in through the console's form. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('input[type=email]').fill('anna@demo.local');
  await page.locator('input[type=password]').fill('demo-password');
  await page.locator('form button[type=submit]').click();
  await page.locator('.rp-console-workspace').waitFor({ timeout: UI_TIMEOUT });
}

/**
 * Starts a presentation through the "Remote presentation" dialog for a buyer created on the
 * fly, and returns the buyer's link as the dialog shows it. The share dialog is left open.
 */
export async function presentFromDialog(
  page: Page,
  buyer: { name: string; contact: string },
): Promise<string> {
  await page.locator('.rp-console-header .rp-shell-primary').click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('.rp-console-segmented label').nth(1).click();
  await dialog.locator('input[type=text]').nth(0).fill(buyer.name);
  await dialog.locator('input[type=text]').nth(1).fill(buyer.contact);
  await dialog.locator('button[type=submit]').click();

  const field = page.locator('dialog[open] .rp-console-share input[readonly]');
  await field.waitFor({ timeout: UI_TIMEOUT });
  return field.inputValue();
}

export async function closeDialog(page: Page): Promise<void> {
  await page.locator('dialog[open] .rp-console-dialog-head button').click();
  await page.locator('dialog[open]').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
}

// ---------------------------------------------------------------- checks

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it stands and returns its serious and critical violations. The
 * pages allow only their own scripts, so axe is evaluated through the DevTools protocol, which
 * the page's CSP does not govern, instead of being added as a script element.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[];
    };
    const axe = (window as unknown as { axe: { run(): Promise<Result> } }).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
  });
}

export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations, `axe on ${where}`).toEqual([]);
}

/** Text that looks like an untranslated key («viewer.endedTitle») rather than a sentence. */
const RAW_KEY = /\b[a-z]+\.[a-zA-Z.]+\b/g;

export async function rawKeysOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const attributes = [...document.querySelectorAll('[aria-label],[title],[alt]')].flatMap((el) =>
      ['aria-label', 'title', 'alt'].map((name) => el.getAttribute(name) ?? ''),
    );
    return [document.body.innerText, document.title, ...attributes].join('\n');
  });
  return text.match(RAW_KEY) ?? [];
}

export async function expectNoRawKeys(page: Page, where: string): Promise<void> {
  expect(await rawKeysOn(page), `raw i18n keys on ${where}`).toEqual([]);
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}

/**
 * Reports every violation of a page's CSP to its console as it happens, on every page of the
 * context: the page's own listener, added before any of its scripts run.
 */
export async function reportCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
}

export interface PageRecord {
  console: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Every request's URL and the Referer the browser really sent with it ('' for none). */
  requests: { url: string; referer: string }[];
  sockets: string[];
}

/**
 * Records what a page does: console lines, errors, dialogs (dismissed at once) and, through
 * the DevTools protocol, the headers each request was sent with, WebSocket handshakes
 * included, which the page's own request events do not show.
 */
export async function recordPage(page: Page): Promise<{ record: PageRecord; cdp: CDPSession }> {
  const record: PageRecord = {
    console: [],
    pageErrors: [],
    dialogs: [],
    requests: [],
    sockets: [],
  };
  page.on('console', (message) => record.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => record.pageErrors.push(error.message));
  page.on('websocket', (socket) => record.sockets.push(socket.url()));
  page.on('dialog', (dialog) => {
    record.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const referer = (headers: Record<string, unknown>) =>
    String(headers['Referer'] ?? headers['referer'] ?? '');
  cdp.on('Network.requestWillBeSent', (event) => {
    urls.set(event.requestId, event.request.url);
    record.requests.push({ url: event.request.url, referer: referer(event.request.headers) });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
    const url = urls.get(event.requestId) ?? '(extra info)';
    record.requests.push({ url, referer: referer(event.headers) });
  });
  cdp.on('Network.webSocketWillSendHandshakeRequest', (event) => {
    record.requests.push({ url: 'websocket', referer: referer(event.request.headers) });
  });
  return { record, cdp };
}

export function cspViolations(record: PageRecord): string[] {
  return record.console.filter((line) => /Content Security Policy|CSP violation/i.test(line));
}

/** Closes whatever was opened, ignoring what already failed, so afterAll never throws early. */
export async function closeAll(...closers: (() => Promise<unknown>)[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Already closed, or never opened because setup failed earlier.
    }
  }
}

// ---------------------------------------------------------------- reading the screens

/** Text with every run of spaces (plain, no-break, narrow no-break) made one plain space. */
export const normalize = (text: string) => text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
/** The view area of the agent's console. */
export const stage = (page: Page) => page.locator('.rp-console-stage .rp-views');
/** The view area of the buyer's phone. */
export const frame = (page: Page) => page.locator('.rp-viewer-frame .rp-views');

/** The first match's text, normalised; empty when nothing matches. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.count()) > 0 ? normalize(await locator.first().innerText()) : '';
}
