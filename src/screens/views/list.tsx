/**
 * The list of units that pass the filters, in the state's sort order: a sortable table in the
 * console, cards on the buyer's phone, where a wide table would not fit.
 */
import { matchesFilters, sortUnits } from '../../core/filtering.js';
import type { PublicInventory, PublicUnit } from '../../core/inventory.js';
import type { SortKey, ViewState } from '../../core/view-state.js';
import { formatArea, formatPerM2, formatPrice } from '../format.js';
import type { Lang } from '../i18n.js';
import { plural, t } from '../i18n.js';
import { roomsName, statusClass, statusName, typeLabel } from './labels.js';
import { findBuilding, findSection } from './lookup.js';
import { openUnitPatch, sortPatch } from './navigation.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

/**
 * Rows drawn at most. A complex holds a thousand units or more; a phone that renders them all
 * on every change of the agent's screen falls behind, and nobody reads past a hundred anyway.
 */
export const LIST_LIMIT = 100;

export interface ListModel {
  rows: PublicUnit[];
  /** Units that pass the filters, shown or not. */
  total: number;
  truncated: boolean;
}

export function listModel(state: ViewState, inventory: PublicInventory): ListModel {
  const matching = inventory.units.filter((unit) => matchesFilters(unit, state.filters, inventory));
  const sorted = sortUnits(matching, state.sort);
  return {
    rows: sorted.slice(0, LIST_LIMIT),
    total: sorted.length,
    truncated: sorted.length > LIST_LIMIT,
  };
}

/** "Корпус 1 · секция 2 · этаж 5": where a unit is, for the list's cards and rows. */
export function unitPlace(unit: PublicUnit, inventory: PublicInventory, lang: Lang): string {
  const building = findBuilding(inventory, unit.buildingId);
  const section = findSection(inventory, unit.sectionId);
  const parts: string[] = [];
  if (building) parts.push(building.name);
  if (section) parts.push(t(lang, 'place.section', { number: section.number }).toLowerCase());
  parts.push(t(lang, 'place.floor', { floor: unit.floor }).toLowerCase());
  return parts.join(' · ');
}

const SORTABLE: {
  key: SortKey;
  label: 'sort.floor' | 'sort.area' | 'sort.price' | 'sort.pricePerM2';
}[] = [
  { key: 'floor', label: 'sort.floor' },
  { key: 'area', label: 'sort.area' },
  { key: 'price', label: 'sort.price' },
  { key: 'pricePerM2', label: 'sort.pricePerM2' },
];

function SortHeader({
  state,
  sortKey,
  label,
  onChange,
}: {
  state: ViewState;
  sortKey: SortKey;
  label: string;
  onChange: ViewProps['onChange'];
}) {
  const active = state.sort.key === sortKey;
  const ariaSort = active ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  const arrow = active ? (state.sort.dir === 'asc' ? '↑' : '↓') : '';

  return (
    <th scope="col" aria-sort={ariaSort} class="rp-num">
      {onChange ? (
        <button type="button" class="rp-sort" onClick={() => onChange(sortPatch(state, sortKey))}>
          {label}
          <span aria-hidden="true"> {arrow}</span>
        </button>
      ) : (
        <>
          {label}
          <span aria-hidden="true"> {arrow}</span>
        </>
      )}
    </th>
  );
}

function priceCell(unit: PublicUnit, lang: Lang): string {
  return unit.price === null ? t(lang, 'app.notSet') : formatPrice(lang, unit.price);
}

function perM2Cell(unit: PublicUnit, lang: Lang): string {
  return unit.pricePerM2 === null ? t(lang, 'app.notSet') : formatPerM2(lang, unit.pricePerM2);
}

function ListTable(props: ViewProps & { model: ListModel }) {
  const { state, inventory, lang, model } = props;
  const edit = editorOf(props);

  return (
    <div class="rp-scroll" role="region" aria-label={t(lang, 'list.caption')} tabIndex={0}>
      <table class="rp-table rp-list-table">
        <caption class="rp-vh">{t(lang, 'list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t(lang, 'list.number')}</th>
            <th scope="col">{t(lang, 'list.building')}</th>
            <th scope="col">{t(lang, 'list.type')}</th>
            {SORTABLE.map((column) => (
              <SortHeader
                key={column.key}
                state={state}
                sortKey={column.key}
                label={t(lang, column.label)}
                onChange={edit}
              />
            ))}
            <th scope="col">{t(lang, 'list.status')}</th>
          </tr>
        </thead>
        <tbody>
          {model.rows.map((unit) => {
            const highlighted = state.highlighted.includes(unit.id);
            const building = findBuilding(inventory, unit.buildingId);
            const section = findSection(inventory, unit.sectionId);
            return (
              <tr
                key={unit.id}
                class={highlighted ? 'rp-highlighted' : undefined}
                aria-current={unit.id === state.unitId ? 'true' : undefined}
              >
                <th scope="row">
                  {edit ? (
                    <button
                      type="button"
                      class="rp-link"
                      aria-label={t(lang, 'list.open', { number: unit.number })}
                      onClick={() => edit(openUnitPatch(unit))}
                    >
                      {unit.number}
                    </button>
                  ) : (
                    unit.number
                  )}
                </th>
                <td>
                  {building?.name ?? ''}
                  {section ? ` · ${section.number}` : ''}
                </td>
                <td title={roomsName(unit, lang)}>{typeLabel(unit, lang)}</td>
                <td class="rp-num">{unit.floor}</td>
                <td class="rp-num">{formatArea(lang, unit.areaTotal)}</td>
                <td class="rp-num">{priceCell(unit, lang)}</td>
                <td class="rp-num">{perM2Cell(unit, lang)}</td>
                <td>
                  <span class={`rp-badge ${statusClass(unit.status)}`}>
                    {statusName(unit.status, lang)}
                  </span>
                  {unit.offer && <span class="rp-badge rp-offer">{t(lang, 'unit.offer')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ListCards({ state, inventory, lang, model }: ViewProps & { model: ListModel }) {
  return (
    <ul class="rp-cards" aria-label={t(lang, 'list.caption')}>
      {model.rows.map((unit) => (
        <li
          key={unit.id}
          class={`rp-card${state.highlighted.includes(unit.id) ? ' rp-highlighted' : ''}`}
          aria-current={unit.id === state.unitId ? 'true' : undefined}
        >
          <p class="rp-card-title">
            {roomsName(unit, lang)} · {formatArea(lang, unit.areaTotal)}
          </p>
          <p class="rp-card-price">{priceCell(unit, lang)}</p>
          {unit.pricePerM2 !== null && <p class="rp-muted">{formatPerM2(lang, unit.pricePerM2)}</p>}
          <p class="rp-card-meta">
            {t(lang, 'place.unitShort', { number: unit.number })} ·{' '}
            {unitPlace(unit, inventory, lang)}
          </p>
          <p>
            <span class={`rp-badge ${statusClass(unit.status)}`}>
              {statusName(unit.status, lang)}
            </span>
            {unit.offer && <span class="rp-badge rp-offer">{unit.offer}</span>}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function List(props: ViewProps) {
  const { state, inventory, lang, mode } = props;
  const model = listModel(state, inventory);
  const dir = t(lang, state.sort.dir === 'asc' ? 'sort.asc' : 'sort.desc');

  return (
    <section class="rp-view rp-list" aria-label={t(lang, 'view.list')}>
      <header class="rp-view-head">
        <h2>{plural(lang, 'found', model.total)}</h2>
        {mode === 'viewer' && (
          <p class="rp-muted">
            {t(lang, 'sort.summary', { key: t(lang, `sort.${state.sort.key}`).toLowerCase(), dir })}
          </p>
        )}
      </header>
      {model.total === 0 ? (
        <p class="rp-empty">{t(lang, 'list.empty')}</p>
      ) : mode === 'viewer' ? (
        <ListCards {...props} model={model} />
      ) : (
        <ListTable {...props} model={model} />
      )}
      {model.truncated && (
        <p class="rp-note">
          {t(lang, 'list.showing', { shown: model.rows.length, total: model.total })}
        </p>
      )}
    </section>
  );
}
