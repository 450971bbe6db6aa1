/**
 * The checks every buyer screen gets, in both languages: no serious or critical axe violation,
 * no raw i18n key, and a screenshot kept as a test artifact. The language is switched with the
 * page's own toggle and switched back, so the test goes on in Russian.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

import {
  DOC_IMAGES,
  UI_TIMEOUT,
  UPDATE_DOC_IMAGES,
  expectAccessible,
  expectNoRawKeys,
  saveScreenshot,
} from './support.js';

async function expectLang(page: Page, lang: 'ru' | 'en'): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.lang), { timeout: UI_TIMEOUT })
    .toBe(lang);
}

export async function switchLang(page: Page, lang: 'ru' | 'en'): Promise<void> {
  const current = await page.evaluate(() => document.documentElement.lang);
  if (current === lang) return;
  await page.locator('.rp-shell-lang').first().click();
  await expectLang(page, lang);
}

/**
 * Checks the page as it stands in Russian and in English and saves `<name>-ru.png` and
 * `<name>-en.png`; returns the paths. `check` runs in each language before the screenshot, for
 * what identifies the state in that language.
 */
export async function checkBothLanguages(
  page: Page,
  name: string,
  check?: (lang: 'ru' | 'en') => Promise<void>,
): Promise<{ ru: string; en: string }> {
  const paths = { ru: '', en: '' };
  for (const lang of ['ru', 'en'] as const) {
    await switchLang(page, lang);
    if (check) await check(lang);
    await expectNoRawKeys(page, `${name} (${lang})`);
    await expectAccessible(page, `${name} (${lang})`);
    paths[lang] = await saveScreenshot(page, `${name}-${lang}`);
  }
  await switchLang(page, 'ru');
  return paths;
}

/** Copies a screenshot into docs/images when the run was asked to refresh them. */
export function publishDocImage(from: string, name: string): void {
  if (!UPDATE_DOC_IMAGES) return;
  mkdirSync(DOC_IMAGES, { recursive: true });
  copyFileSync(from, join(DOC_IMAGES, name));
}

/**
 * The console and the phone side by side in one picture, for the README: both screenshots are
 * laid out in a throwaway page and that page is photographed.
 */
export async function publishSideBySide(
  browser: Browser,
  consolePng: Buffer,
  phonePng: Buffer,
  name: string,
): Promise<void> {
  if (!UPDATE_DOC_IMAGES) return;
  mkdirSync(DOC_IMAGES, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1870, height: 960 } });
  try {
    const page = await context.newPage();
    const src = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
    await page.setContent(`<!doctype html>
      <style>
        body { margin: 0; background: #e8ebf0; display: flex; gap: 28px; padding: 30px;
               align-items: flex-start; font-family: sans-serif; }
        img { display: block; box-shadow: 0 6px 24px rgb(0 0 0 / 18%); }
        .desktop { width: 1366px; height: 900px; border-radius: 8px; }
        .phone { width: 390px; height: 844px; border: 12px solid #111; border-radius: 36px; }
      </style>
      <img class="desktop" src="${src(consolePng)}" alt="">
      <img class="phone" src="${src(phonePng)}" alt="">`);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    await page.screenshot({ path: join(DOC_IMAGES, name) });
  } finally {
    await context.close();
  }
}
