/**
 * Numbers, money, areas, quarters, dates and timers as the interface shows them, through `Intl`
 * so grouping and decimal marks follow the language (Russian: «12 450 000 ₽», «42,5 м²»).
 *
 * Formatters are built once per language, when first used: `Intl` constructors are slow enough
 * to matter when a grid of a few hundred cells formats its prices on every change.
 */
import type { Lang } from './i18n.js';

const LOCALES: Record<Lang, string> = { ru: 'ru-RU', en: 'en-GB' };

/** Non-breaking space: a price or an area must never wrap between the number and its unit. */
const NBSP = '\u00a0';

/**
 * One formatter per language, each built on first use: a page shows one language, and building
 * all sixteen of them up front costs a phone a noticeable slice of its first frame.
 */
function perLang<T>(make: (locale: string) => T): Readonly<Record<Lang, T>> {
  const made: Partial<Record<Lang, T>> = {};
  return {
    get ru() {
      return (made.ru ??= make(LOCALES.ru));
    },
    get en() {
      return (made.en ??= make(LOCALES.en));
    },
  };
}

const rubles = perLang(
  (locale) =>
    new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'RUB',
      currencyDisplay: 'narrowSymbol',
      maximumFractionDigits: 0,
      minimumFractionDigits: 0,
    }),
);

const whole = perLang((locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }));

const oneDecimal = perLang((locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }));

const twoDecimals = perLang(
  (locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
);

const dateTime = perLang(
  (locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
);

const timeOnly = perLang((locale) => new Intl.DateTimeFormat(locale, { timeStyle: 'short' }));

/**
 * A whole-rouble price: «12 450 000 ₽» / «12,450,000 ₽». English puts the sign after the number
 * too, as the short form does, so both forms read the same way side by side.
 */
export function formatPrice(lang: Lang, rub: number): string {
  if (lang === 'ru') return rubles.ru.format(Math.round(rub)).replace(/\s/g, NBSP);
  return `${whole.en.format(Math.round(rub))}${NBSP}₽`;
}

/**
 * A price for tight spaces: «12,5 млн ₽» / «12.5M ₽», «850 тыс. ₽» / «850K ₽». The suffixes are
 * ours rather than `Intl`'s compact notation, whose English abbreviations differ between
 * locales and browsers ("12.5m" in en-GB, "12.5M" in en-US).
 */
export function formatPriceShort(lang: Lang, rub: number): string {
  const ru = lang === 'ru';
  const thousands = Math.round(rub / 1000);

  // 999 600 ₽ rounds to a thousand thousands: say "1 млн" instead.
  if (Math.abs(thousands) >= 1000) {
    const millions = oneDecimal[lang].format(rub / 1_000_000);
    return ru ? `${millions}${NBSP}млн${NBSP}₽` : `${millions}M${NBSP}₽`;
  }
  if (Math.abs(rub) >= 1000) {
    const short = whole[lang].format(thousands);
    return ru ? `${short}${NBSP}тыс.${NBSP}₽` : `${short}K${NBSP}₽`;
  }
  return `${whole[lang].format(rub)}${NBSP}₽`;
}

/** An area in square metres with at most one decimal: «42,5 м²» / «42.5 m²». */
export function formatArea(lang: Lang, m2: number): string {
  return `${oneDecimal[lang].format(m2)}${NBSP}${lang === 'ru' ? 'м²' : 'm²'}`;
}

/** A price per square metre: «345 000 ₽/м²» / «345,000 ₽/m²». */
export function formatPerM2(lang: Lang, rub: number): string {
  return `${formatPrice(lang, rub)}/${lang === 'ru' ? 'м²' : 'm²'}`;
}

/** A plain number in the language's notation, up to two decimals (ceilings, percentages). */
export function formatNumber(lang: Lang, value: number): string {
  return twoDecimals[lang].format(value);
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'] as const;
const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

/**
 * A completion quarter: `2027-Q3` → «III кв. 2027» / «Q3 2027». A value in another shape is
 * shown as it came, because hiding a completion date would be worse than showing it raw.
 */
export function formatQuarter(quarter: string, lang: Lang): string {
  const match = QUARTER_PATTERN.exec(quarter);
  if (!match) return quarter;

  const [, year, q] = match;
  if (lang === 'en') return `Q${q} ${year}`;
  return `${ROMAN_QUARTERS[Number(q) - 1]}${NBSP}кв.${NBSP}${year}`;
}

/** A moment as date and time: «3 дек. 2026 г., 18:58» / «3 Dec 2026, 18:58». */
export function formatDateTime(lang: Lang, value: string | number | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '' : dateTime[lang].format(date);
}

/** A moment as time of day only, for "until 18:58" on a screen that already shows the date. */
export function formatTime(lang: Lang, value: string | number | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '' : timeOnly[lang].format(date);
}

/**
 * A countdown: 59:12, 5:03, 1:02:03. Seconds round up, so the timer shows 0:00 only once the
 * time is really over; a negative remainder shows as 0:00.
 */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');

  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}
