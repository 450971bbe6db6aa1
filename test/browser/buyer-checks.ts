/**
 * The checks every buyer screen gets, in both languages: no serious or critical axe violation,
 * no raw i18n key, a layout that fits a 360 px phone with touch targets of at least 44 px, and
 * a screenshot kept as a test artifact. The language is switched with the page's own toggle
 * and switched back, so the test goes on in Russian.
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
    if (name.startsWith('viewer-')) await expectFitsNarrowPhone(page, `${name} (${lang})`);
    paths[lang] = await saveScreenshot(page, `${name}-${lang}`);
  }
  await switchLang(page, 'ru');
  return paths;
}

/** The narrowest phone the viewer is made for, and the smallest target a thumb can hit. */
const NARROW_PHONE = { width: 360, height: 740 };
const MIN_TARGET_PX = 44;

/**
 * Lays the page out at 360 px for a moment: nothing may stick out sideways (no horizontal
 * scrolling), and every control the buyer can touch is at least 44 × 44 px. Links inside a
 * sentence are exempt, as in WCAG's target-size rule. The viewport is put back afterwards.
 */
export async function expectFitsNarrowPhone(page: Page, where: string): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize(NARROW_PHONE);
  try {
    const problems = await page.evaluate(
      ({ width, min }) => {
        const found: string[] = [];
        const scrollWidth = document.documentElement.scrollWidth;
        if (scrollWidth > width) {
          // Name the outermost elements that stick out, to say where to look.
          const wide = [...document.body.querySelectorAll<HTMLElement>('*')].filter(
            (el) =>
              el.getBoundingClientRect().right > width + 1 &&
              !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1),
          );
          const names = wide.slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
          found.push(`the page is ${scrollWidth} px wide (${names.join(', ')})`);
        }
        const targets = document.querySelectorAll<HTMLElement>(
          'button, a[href], [role="button"], input, select, summary',
        );
        for (const el of targets) {
          const box = el.getBoundingClientRect();
          if (box.width === 0 || box.height === 0) continue;
          const style = getComputedStyle(el);
          if (style.visibility === 'hidden') continue;
          const inline = el.tagName === 'A' && style.display === 'inline';
          if (inline) continue;
          if (box.width < min || box.height < min) {
            const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
            found.push(
              `${el.tagName.toLowerCase()} "${label.slice(0, 40)}" is ${Math.round(box.width)}×${Math.round(box.height)} px`,
            );
          }
        }
        return found;
      },
      { width: NARROW_PHONE.width, min: MIN_TARGET_PX },
    );
    expect(problems, `${where} at ${NARROW_PHONE.width} px`).toEqual([]);
  } finally {
    if (before) await page.setViewportSize(before);
  }
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
