/**
 * How a unit is named on screen, in each language. The grid's short type label comes from the
 * core's `unitTypeLabel`, so the console, the viewer and any integrator agree on it; Russian
 * swaps its Latin letters for the Cyrillic ones a Russian buyer expects (С, СП, 2Е).
 */
import { unitTypeLabel } from '../../core/inventory.js';
import type { PublicStatus, PublicUnit } from '../../core/inventory.js';
import { formatArea, formatPriceShort } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

type TypeFields = Pick<PublicUnit, 'rooms' | 'euro' | 'openPlan'>;

export function typeLabel(unit: TypeFields, lang: Lang): string {
  const label = unitTypeLabel(unit);
  if (unit.openPlan) return t(lang, 'rooms.short.openPlan');
  if (unit.rooms === 'studio') return t(lang, 'rooms.short.studio');
  return unit.euro ? `${unit.rooms}${t(lang, 'rooms.short.euroSuffix')}` : label;
}

/** The full name of a unit's type: «Евродвушка (2Е)», «3-комн.», «Студия». */
export function roomsName(unit: TypeFields, lang: Lang): string {
  if (unit.openPlan) return t(lang, 'rooms.openPlan');
  if (unit.rooms === 'studio') return t(lang, 'rooms.studio');
  return unit.euro ? t(lang, `rooms.euro.${unit.rooms}`) : t(lang, `rooms.${unit.rooms}`);
}

export function statusName(status: PublicStatus, lang: Lang): string {
  return t(lang, `status.${status}`);
}

/** One line that names a unit for a screen reader: number, type, area, price and status. */
export function unitSummary(unit: PublicUnit, lang: Lang): string {
  const parts = [
    t(lang, 'place.unit', { number: unit.number }),
    roomsName(unit, lang),
    formatArea(lang, unit.areaTotal),
  ];
  if (unit.price !== null) parts.push(formatPriceShort(lang, unit.price));
  parts.push(statusName(unit.status, lang).toLowerCase());
  return parts.join(', ');
}

/** The CSS class that colours a unit by its status. */
export function statusClass(status: PublicStatus): string {
  return `rp-status-${status}`;
}
