/**
 * Complex overview: one card per building with its completion quarter, the units still for sale
 * and the lowest price among them. In the console a card opens the building's grid.
 */
import { buildingSummary } from '../../core/filtering.js';
import type { Building, PublicInventory, Section } from '../../core/inventory.js';
import { formatPrice, formatQuarter } from '../format.js';
import { plural, t } from '../i18n.js';
import { openGridPatch } from './navigation.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

export interface OverviewBuilding {
  building: Building;
  /** Where a click leads: the building's first section; null for a building without sections. */
  firstSection: Section | null;
  available: number;
  fromPrice: number | null;
  floors: number;
}

export interface OverviewModel {
  complexName: string;
  address: string;
  buildings: OverviewBuilding[];
}

export function overviewModel(inventory: PublicInventory): OverviewModel {
  return {
    complexName: inventory.complex.name,
    address: inventory.complex.address,
    buildings: inventory.complex.buildings.map((building) => ({
      building,
      firstSection: building.sections[0] ?? null,
      // A cut of the inventory holds some units only, and brings the sums of all of them.
      ...(inventory.buildingSummaries?.[building.id] ??
        buildingSummary(inventory.units, building.id)),
      floors: Math.max(building.floors, ...building.sections.map((s) => s.floors)),
    })),
  };
}

export function Overview(props: ViewProps) {
  const { inventory, lang, state } = props;
  const edit = editorOf(props);
  const model = overviewModel(inventory);

  return (
    <section class="rp-view rp-overview" aria-label={t(lang, 'view.overview')}>
      <header class="rp-view-head">
        <h2>{t(lang, 'app.complex', { name: model.complexName })}</h2>
        <p class="rp-muted">{model.address}</p>
      </header>
      {model.buildings.length === 0 ? (
        <p class="rp-empty">{t(lang, 'overview.empty')}</p>
      ) : (
        <ul class="rp-overview-list" aria-label={t(lang, 'overview.title')}>
          {model.buildings.map((entry) => {
            const body = <OverviewCardBody entry={entry} lang={lang} />;
            const current = state.buildingId === entry.building.id;
            const section = entry.firstSection;

            return (
              <li key={entry.building.id} class="rp-overview-item">
                {edit && section ? (
                  <button
                    type="button"
                    class="rp-overview-card rp-clickable"
                    aria-current={current ? 'true' : undefined}
                    title={t(lang, 'overview.open', { name: entry.building.name })}
                    onClick={() => edit(openGridPatch(entry.building, section))}
                  >
                    {body}
                  </button>
                ) : (
                  <div class="rp-overview-card" aria-current={current ? 'true' : undefined}>
                    {body}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function OverviewCardBody({ entry, lang }: { entry: OverviewBuilding; lang: ViewProps['lang'] }) {
  const sections = entry.building.sections.length;

  return (
    <>
      <span class="rp-overview-name">{entry.building.name}</span>
      <span class="rp-overview-completion">
        {t(lang, 'overview.completion', {
          quarter: formatQuarter(entry.building.completion, lang),
        })}
      </span>
      <span class="rp-overview-meta">
        {plural(lang, 'floors', entry.floors)} · {plural(lang, 'sections', sections)}
      </span>
      {entry.available > 0 ? (
        <>
          <span class="rp-overview-available">{plural(lang, 'available', entry.available)}</span>
          {entry.fromPrice !== null && (
            <span class="rp-overview-price">
              {t(lang, 'overview.from', { price: formatPrice(lang, entry.fromPrice) })}
            </span>
          )}
        </>
      ) : (
        <span class="rp-overview-available rp-muted">{t(lang, 'overview.soldOut')}</span>
      )}
    </>
  );
}
