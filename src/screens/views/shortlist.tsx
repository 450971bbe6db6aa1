/**
 * The shortlist (подборка): the units the agent collected for this buyer, side by side, with
 * the best value of each comparable row marked. Columns keep the order the agent added them in.
 */
import type { PublicInventory, PublicUnit } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import { formatArea, formatNumber, formatPerM2, formatPrice, formatQuarter } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { LayoutPlan } from './art.js';
import { roomsName, statusClass, statusName, typeLabel } from './labels.js';
import { findBuilding, findUnit } from './lookup.js';
import { openUnitPatch, toggleShortlistPatch } from './navigation.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

export const COMPARE_KEYS = [
  'price',
  'pricePerM2',
  'areaTotal',
  'areaLiving',
  'areaKitchen',
  'rooms',
  'floor',
  'ceiling',
  'finishing',
  'view',
  'outdoor',
  'bathrooms',
  'completion',
  'status',
] as const;
export type CompareKey = (typeof COMPARE_KEYS)[number];

/** Which way is better for the rows where one is: cheaper, or larger. */
const BETTER: Partial<Record<CompareKey, 'min' | 'max'>> = {
  price: 'min',
  pricePerM2: 'min',
  areaTotal: 'max',
  areaLiving: 'max',
  areaKitchen: 'max',
  ceiling: 'max',
};

export interface CompareRow {
  key: CompareKey;
  /** Column indexes holding the best value; empty when the row has no better side or a tie. */
  best: number[];
}

export interface ShortlistModel {
  units: PublicUnit[];
  /** Ids in the shortlist that the inventory no longer has. */
  missing: number;
  rows: CompareRow[];
}

function numericValue(unit: PublicUnit, key: CompareKey): number | null {
  switch (key) {
    case 'price':
      return unit.price;
    case 'pricePerM2':
      return unit.pricePerM2;
    case 'areaTotal':
      return unit.areaTotal;
    case 'areaLiving':
      return unit.areaLiving;
    case 'areaKitchen':
      return unit.areaKitchen;
    case 'ceiling':
      return unit.ceiling;
    default:
      return null;
  }
}

function bestColumns(units: readonly PublicUnit[], key: CompareKey): number[] {
  const direction = BETTER[key];
  if (!direction) return [];

  const values = units.map((unit) => numericValue(unit, key));
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return [];

  const best = direction === 'min' ? Math.min(...present) : Math.max(...present);
  // When every unit has the same value, none of them is better.
  if (present.every((v) => v === best)) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

export function shortlistModel(state: ViewState, inventory: PublicInventory): ShortlistModel {
  const seen = new Set<string>();
  const units: PublicUnit[] = [];
  let missing = 0;

  for (const id of state.shortlist) {
    if (seen.has(id)) continue;
    seen.add(id);
    const unit = findUnit(inventory, id);
    if (unit) units.push(unit);
    else missing += 1;
  }

  return {
    units,
    missing,
    rows: COMPARE_KEYS.map((key) => ({ key, best: bestColumns(units, key) })),
  };
}

const ROW_LABEL: Record<
  CompareKey,
  | 'unit.price'
  | 'unit.pricePerM2'
  | 'unit.areaTotal'
  | 'unit.areaLiving'
  | 'unit.areaKitchen'
  | 'unit.rooms'
  | 'unit.floor'
  | 'unit.ceiling'
  | 'unit.finishing'
  | 'unit.view'
  | 'unit.outdoor'
  | 'unit.bathrooms'
  | 'unit.completion'
  | 'unit.status'
> = {
  price: 'unit.price',
  pricePerM2: 'unit.pricePerM2',
  areaTotal: 'unit.areaTotal',
  areaLiving: 'unit.areaLiving',
  areaKitchen: 'unit.areaKitchen',
  rooms: 'unit.rooms',
  floor: 'unit.floor',
  ceiling: 'unit.ceiling',
  finishing: 'unit.finishing',
  view: 'unit.view',
  outdoor: 'unit.outdoor',
  bathrooms: 'unit.bathrooms',
  completion: 'unit.completion',
  status: 'unit.status',
};

/** The text of one comparison cell. */
export function compareValue(
  unit: PublicUnit,
  key: CompareKey,
  inventory: PublicInventory,
  lang: Lang,
): string {
  const dash = t(lang, 'app.notSet');
  switch (key) {
    case 'price':
      return unit.price === null ? dash : formatPrice(lang, unit.price);
    case 'pricePerM2':
      return unit.pricePerM2 === null ? dash : formatPerM2(lang, unit.pricePerM2);
    case 'areaTotal':
      return formatArea(lang, unit.areaTotal);
    case 'areaLiving':
      return formatArea(lang, unit.areaLiving);
    case 'areaKitchen':
      return formatArea(lang, unit.areaKitchen);
    case 'rooms':
      return roomsName(unit, lang);
    case 'floor':
      return String(unit.floor);
    case 'ceiling':
      return t(lang, 'unit.ceilingValue', { value: formatNumber(lang, unit.ceiling) });
    case 'finishing':
      return t(lang, `finishing.${unit.finishing}`);
    case 'view':
      return t(lang, `windowView.${unit.view}`);
    case 'outdoor':
      return t(lang, unit.outdoor ? `outdoor.${unit.outdoor}` : 'outdoor.none');
    case 'bathrooms':
      return String(unit.bathrooms);
    case 'completion': {
      const building = findBuilding(inventory, unit.buildingId);
      return building ? formatQuarter(building.completion, lang) : dash;
    }
    case 'status':
      return statusName(unit.status, lang);
  }
}

export function Shortlist(props: ViewProps) {
  const { state, inventory, lang, mode } = props;
  const edit = editorOf(props);
  const model = shortlistModel(state, inventory);

  if (model.units.length === 0) {
    return (
      <section class="rp-view rp-shortlist" aria-label={t(lang, 'view.shortlist')}>
        <header class="rp-view-head">
          <h2>{t(lang, 'shortlist.title')}</h2>
        </header>
        <p class="rp-empty">
          {t(lang, mode === 'console' ? 'shortlist.emptyConsole' : 'shortlist.emptyViewer')}
        </p>
      </section>
    );
  }

  const caption = t(lang, 'shortlist.compare');

  return (
    <section class="rp-view rp-shortlist" aria-label={t(lang, 'view.shortlist')}>
      <header class="rp-view-head">
        <h2>{t(lang, 'shortlist.title')}</h2>
      </header>
      <div class="rp-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table class="rp-table rp-compare">
          <caption class="rp-vh">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" class="rp-compare-corner">
                <span class="rp-vh">{t(lang, 'shortlist.parameter')}</span>
              </th>
              {model.units.map((unit) => (
                <th
                  key={unit.id}
                  scope="col"
                  class={state.highlighted.includes(unit.id) ? 'rp-highlighted' : undefined}
                  aria-current={unit.id === state.unitId ? 'true' : undefined}
                >
                  <span class="rp-compare-title">
                    {t(lang, 'place.unitShort', { number: unit.number })} · {typeLabel(unit, lang)}
                  </span>
                  <LayoutPlan unit={unit} lang={lang} class="rp-compare-plan" />
                  {edit && (
                    <span class="rp-compare-actions">
                      <button
                        type="button"
                        class="rp-button"
                        onClick={() => edit(openUnitPatch(unit))}
                      >
                        {t(lang, 'shortlist.open')}
                      </button>
                      <button
                        type="button"
                        class="rp-button"
                        onClick={() => edit(toggleShortlistPatch(state, unit.id))}
                      >
                        {t(lang, 'shortlist.remove')}
                      </button>
                    </span>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{t(lang, ROW_LABEL[row.key])}</th>
                {model.units.map((unit, i) => {
                  const best = row.best.includes(i);
                  const text = compareValue(unit, row.key, inventory, lang);
                  return (
                    <td key={unit.id} class={best ? 'rp-best' : undefined}>
                      {row.key === 'status' ? (
                        <span class={`rp-badge ${statusClass(unit.status)}`}>{text}</span>
                      ) : (
                        text
                      )}
                      {best && <span class="rp-best-mark"> {t(lang, 'shortlist.best')}</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
