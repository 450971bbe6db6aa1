import { plural } from '../i18n.js';
import type { Lang } from '../i18n.js';

/** The lifetimes offered for a link, in minutes; the server accepts 5 to 480. */
export const LIFETIMES = [15, 30, 60, 120, 240, 480] as const;
export const DEFAULT_LIFETIME = 60;

/** How much one click on "extend" adds. */
export const EXTEND_MINUTES = 30;

/** «30 минут», «2 часа»: whole hours read better than minutes past the first hour. */
export function lifetimeLabel(lang: Lang, minutes: number): string {
  return minutes >= 60 && minutes % 60 === 0
    ? plural(lang, 'hours', minutes / 60)
    : plural(lang, 'minutes', minutes);
}
