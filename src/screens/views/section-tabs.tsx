/**
 * The section switcher of the grid and the floor plan, and the status legend under them. The
 * console gets pressable tabs; the viewer only says where it is, since the buyer cannot switch.
 */
import type { PublicStatus } from '../../core/inventory.js';
import { PUBLIC_STATUSES } from '../../core/inventory.js';
import type { ViewPatch } from '../../core/view-state.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { statusClass } from './labels.js';
import type { Place } from './lookup.js';

export function SectionTabs({
  place,
  lang,
  onSelect,
}: {
  place: Place;
  lang: Lang;
  /** Absent in the viewer. */
  onSelect?: (patch: ViewPatch) => void;
}) {
  const { building, section } = place;
  const sections = building.sections;

  if (!onSelect) {
    if (sections.length < 2) return null;
    return (
      <p class="rp-section-position">
        {t(lang, 'grid.sectionOf', { number: section.number, total: sections.length })}
      </p>
    );
  }

  return (
    <div class="rp-tabs" role="group" aria-label={t(lang, 'grid.sections')}>
      {sections.map((s) => (
        <button
          key={s.id}
          type="button"
          class="rp-tab"
          aria-pressed={s.id === section.id}
          onClick={() => onSelect({ buildingId: building.id, sectionId: s.id })}
        >
          {t(lang, 'place.section', { number: s.number })}
        </button>
      ))}
    </div>
  );
}

export function StatusLegend({
  lang,
  statuses = PUBLIC_STATUSES,
}: {
  lang: Lang;
  statuses?: readonly PublicStatus[];
}) {
  return (
    <ul class="rp-legend" aria-label={t(lang, 'status.legend')}>
      {statuses.map((status) => (
        <li key={status} class="rp-legend-item">
          <span class={`rp-legend-swatch ${statusClass(status)}`} aria-hidden="true" />
          {t(lang, `status.${status}`)}
        </li>
      ))}
    </ul>
  );
}
