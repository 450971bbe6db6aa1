/**
 * Filters: the console's editing panel (`FiltersPanel`) and the viewer's read-only summary
 * (`FilterSummary`). Every edit is a view-state change carrying the whole new `filters` object,
 * so the buyer's phone dims and lists exactly what the agent's screen does.
 */
import type { JSX } from 'preact';
import { matchesFilters } from '../../core/filtering.js';
import type { Finishing, PublicInventory, PublicStatus, RoomKind } from '../../core/inventory.js';
import { FINISHINGS, PUBLIC_STATUSES, ROOM_KINDS } from '../../core/inventory.js';
import type { Filters, SortKey, ViewPatch, ViewState } from '../../core/view-state.js';
import { EMPTY_FILTERS, SORT_KEYS } from '../../core/view-state.js';
import { formatArea, formatNumber, formatPriceShort, formatQuarter } from '../format.js';
import type { Lang } from '../i18n.js';
import { plural, t } from '../i18n.js';
import { roomsName } from './labels.js';
import { findBuilding } from './lookup.js';
import { toggled } from './navigation.js';

// ---------------------------------------------------------------- pure helpers

/** A patch that replaces the filters with `filters` changed by `change`. */
export function filtersPatch(filters: Filters, change: Partial<Filters>): ViewPatch {
  return { filters: { ...filters, ...change } };
}

/** Choosing buildings drops chosen sections of other buildings, which could never match. */
export function withBuildings(
  filters: Filters,
  inventory: PublicInventory,
  buildings: string[],
): Partial<Filters> {
  if (buildings.length === 0) return { buildings };
  const allowed = new Set(
    inventory.complex.buildings
      .filter((b) => buildings.includes(b.id))
      .flatMap((b) => b.sections.map((s) => s.id)),
  );
  return { buildings, sections: filters.sections.filter((id) => allowed.has(id)) };
}

/**
 * Reads a typed bound: empty means no bound; a comma works as the decimal mark, as Russian
 * keyboards type it; `scale` turns millions of roubles into roubles. Nonsense means no bound.
 */
export function parseBound(text: string, scale = 1): number | null {
  const cleaned = text.replace(/\s/g, '').replace(',', '.');
  if (cleaned === '') return null;
  const value = Number(cleaned);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * scale) : null;
}

/** Completion quarters of the complex, earliest first, each once. */
export function completionQuarters(inventory: PublicInventory): string[] {
  return [...new Set(inventory.complex.buildings.map((b) => b.completion))].sort();
}

export function countMatching(state: ViewState, inventory: PublicInventory): number {
  return inventory.units.filter((unit) => matchesFilters(unit, state.filters, inventory)).length;
}

function range(
  lang: Lang,
  min: number | null,
  max: number | null,
  show: (value: number) => string,
): string | null {
  if (min !== null && max !== null) {
    return t(lang, 'filter.range.both', { from: show(min), to: show(max) });
  }
  if (min !== null) return t(lang, 'filter.range.from', { from: show(min) });
  if (max !== null) return t(lang, 'filter.range.to', { to: show(max) });
  return null;
}

/** The active filters as short phrases, in the order the panel lists them. */
export function filterChips(filters: Filters, inventory: PublicInventory, lang: Lang): string[] {
  const chips: string[] = [];

  for (const id of filters.buildings) {
    const building = findBuilding(inventory, id);
    if (building) chips.push(building.name);
  }
  for (const building of inventory.complex.buildings) {
    for (const section of building.sections) {
      if (!filters.sections.includes(section.id)) continue;
      chips.push(
        `${building.name}, ${t(lang, 'place.section', { number: section.number }).toLowerCase()}`,
      );
    }
  }
  for (const rooms of filters.rooms)
    chips.push(roomsName({ rooms, euro: false, openPlan: false }, lang));
  if (filters.euroOnly) chips.push(t(lang, 'filter.euroOnly'));

  const price = range(lang, filters.priceMin, filters.priceMax, (v) => formatPriceShort(lang, v));
  if (price) chips.push(t(lang, 'filter.chip.price', { range: price }));
  const area = range(lang, filters.areaMin, filters.areaMax, (v) => formatArea(lang, v));
  if (area) chips.push(t(lang, 'filter.chip.area', { range: area }));
  const floor = range(lang, filters.floorMin, filters.floorMax, String);
  if (floor) chips.push(t(lang, 'filter.chip.floor', { range: floor }));
  if (filters.notFirst) chips.push(t(lang, 'filter.notFirst'));
  if (filters.notLast) chips.push(t(lang, 'filter.notLast'));

  for (const finishing of filters.finishing) chips.push(t(lang, `finishing.${finishing}`));
  for (const quarter of filters.completion) chips.push(formatQuarter(quarter, lang));
  for (const status of filters.statuses) chips.push(t(lang, `status.${status}`));
  if (filters.offersOnly) chips.push(t(lang, 'filter.offersOnly'));

  return chips;
}

// ---------------------------------------------------------------- viewer: summary

export interface FilterSummaryProps {
  state: ViewState;
  inventory: PublicInventory;
  lang: Lang;
}

/** The buyer's read-only view of what the agent filtered by. */
export function FilterSummary({ state, inventory, lang }: FilterSummaryProps) {
  const chips = filterChips(state.filters, inventory, lang);

  return (
    <section class="rp-filter-summary" aria-label={t(lang, 'filter.summary')}>
      {chips.length === 0 ? (
        <p class="rp-muted">{t(lang, 'filter.none')}</p>
      ) : (
        <ul class="rp-chips">
          {chips.map((chip) => (
            <li key={chip} class="rp-chip rp-chip-static">
              {chip}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- console: panel

export interface FiltersPanelProps {
  state: ViewState;
  inventory: PublicInventory;
  lang: Lang;
  onChange: (patch: ViewPatch) => void;
}

function Chips<T extends string>({
  legend,
  options,
  chosen,
  label,
  onToggle,
}: {
  legend: string;
  options: readonly T[];
  chosen: readonly T[];
  label: (value: T) => string;
  onToggle: (value: T) => void;
}) {
  return (
    <fieldset class="rp-fieldset">
      <legend>{legend}</legend>
      <div class="rp-chips">
        {options.map((value) => (
          <button
            key={value}
            type="button"
            class="rp-chip"
            aria-pressed={chosen.includes(value)}
            onClick={() => onToggle(value)}
          >
            {label(value)}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function Check({
  label,
  checked,
  onToggle,
}: {
  label: string;
  checked: boolean;
  onToggle: (checked: boolean) => void;
}) {
  return (
    <label class="rp-check">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onToggle(event.currentTarget.checked)}
      />
      {label}
    </label>
  );
}

function RangeFields({
  legend,
  lang,
  min,
  max,
  scale = 1,
  onRange,
  children,
}: {
  legend: string;
  lang: Lang;
  min: number | null;
  max: number | null;
  /** Typed values are in units of `scale` (a million roubles for the price). */
  scale?: number;
  onRange: (min: number | null, max: number | null) => void;
  children?: JSX.Element | JSX.Element[];
}) {
  const shown = (value: number | null) => (value === null ? '' : formatNumber(lang, value / scale));
  const read = (event: JSX.TargetedEvent<HTMLInputElement>) =>
    parseBound(event.currentTarget.value, scale);

  return (
    <fieldset class="rp-fieldset">
      <legend>{legend}</legend>
      <div class="rp-range">
        <label>
          {t(lang, 'filter.from')}
          <input
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={shown(min)}
            onChange={(event) => onRange(read(event), max)}
          />
        </label>
        <label>
          {t(lang, 'filter.to')}
          <input
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={shown(max)}
            onChange={(event) => onRange(min, read(event))}
          />
        </label>
      </div>
      {children}
    </fieldset>
  );
}

const SORT_LABEL: Record<SortKey, 'sort.price' | 'sort.pricePerM2' | 'sort.area' | 'sort.floor'> = {
  price: 'sort.price',
  pricePerM2: 'sort.pricePerM2',
  area: 'sort.area',
  floor: 'sort.floor',
};

function isSortKey(value: string): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value);
}

/** The console's filter and sort panel. Each control sends one change as soon as it commits. */
export function FiltersPanel({ state, inventory, lang, onChange }: FiltersPanelProps) {
  const filters = state.filters;
  const set = (change: Partial<Filters>) => onChange(filtersPatch(filters, change));
  const buildings = inventory.complex.buildings;
  const sectionBuildings =
    filters.buildings.length > 0
      ? buildings.filter((b) => filters.buildings.includes(b.id))
      : buildings;
  const sections = sectionBuildings.flatMap((b) =>
    b.sections.map((s) => ({
      id: s.id,
      label:
        sectionBuildings.length > 1
          ? `${b.name} · ${s.number}`
          : t(lang, 'place.section', { number: s.number }),
    })),
  );
  const sectionLabel = new Map(sections.map((s) => [s.id, s.label]));
  const buildingName = new Map(buildings.map((b) => [b.id, b.name]));
  const found = countMatching(state, inventory);

  return (
    <section class="rp-filters" aria-label={t(lang, 'filter.title')}>
      <h2 class="rp-filters-title">{t(lang, 'filter.title')}</h2>
      <p class="rp-filters-found" aria-live="polite">
        {plural(lang, 'found', found)}
      </p>

      {buildings.length > 1 && (
        <Chips
          legend={t(lang, 'filter.building')}
          options={buildings.map((b) => b.id)}
          chosen={filters.buildings}
          label={(id) => buildingName.get(id) ?? id}
          onToggle={(id) => set(withBuildings(filters, inventory, toggled(filters.buildings, id)))}
        />
      )}
      {sections.length > 1 && (
        <Chips
          legend={t(lang, 'filter.section')}
          options={sections.map((s) => s.id)}
          chosen={filters.sections}
          label={(id) => sectionLabel.get(id) ?? id}
          onToggle={(id) => set({ sections: toggled(filters.sections, id) })}
        />
      )}

      <Chips<RoomKind>
        legend={t(lang, 'filter.rooms')}
        options={ROOM_KINDS}
        chosen={filters.rooms}
        label={(rooms) => roomsName({ rooms, euro: false, openPlan: false }, lang)}
        onToggle={(rooms) => set({ rooms: toggled(filters.rooms, rooms) })}
      />
      <Check
        label={t(lang, 'filter.euroOnly')}
        checked={filters.euroOnly}
        onToggle={(euroOnly) => set({ euroOnly })}
      />

      <RangeFields
        legend={t(lang, 'filter.price')}
        lang={lang}
        min={filters.priceMin}
        max={filters.priceMax}
        scale={1_000_000}
        onRange={(priceMin, priceMax) => set({ priceMin, priceMax })}
      />
      <RangeFields
        legend={t(lang, 'filter.area')}
        lang={lang}
        min={filters.areaMin}
        max={filters.areaMax}
        onRange={(areaMin, areaMax) => set({ areaMin, areaMax })}
      />
      <RangeFields
        legend={t(lang, 'filter.floor')}
        lang={lang}
        min={filters.floorMin}
        max={filters.floorMax}
        onRange={(floorMin, floorMax) => set({ floorMin, floorMax })}
      >
        <Check
          label={t(lang, 'filter.notFirst')}
          checked={filters.notFirst}
          onToggle={(notFirst) => set({ notFirst })}
        />
        <Check
          label={t(lang, 'filter.notLast')}
          checked={filters.notLast}
          onToggle={(notLast) => set({ notLast })}
        />
      </RangeFields>

      <Chips<Finishing>
        legend={t(lang, 'filter.finishing')}
        options={FINISHINGS}
        chosen={filters.finishing}
        label={(finishing) => t(lang, `finishing.${finishing}`)}
        onToggle={(finishing) => set({ finishing: toggled(filters.finishing, finishing) })}
      />
      <Chips
        legend={t(lang, 'filter.completion')}
        options={completionQuarters(inventory)}
        chosen={filters.completion}
        label={(quarter) => formatQuarter(quarter, lang)}
        onToggle={(quarter) => set({ completion: toggled(filters.completion, quarter) })}
      />
      <Chips<PublicStatus>
        legend={t(lang, 'filter.status')}
        options={PUBLIC_STATUSES}
        chosen={filters.statuses}
        label={(status) => t(lang, `status.${status}`)}
        onToggle={(status) => set({ statuses: toggled(filters.statuses, status) })}
      />
      <Check
        label={t(lang, 'filter.offersOnly')}
        checked={filters.offersOnly}
        onToggle={(offersOnly) => set({ offersOnly })}
      />

      <fieldset class="rp-fieldset">
        <legend>{t(lang, 'sort.title')}</legend>
        <div class="rp-sort-row">
          <label class="rp-vh-label">
            <span class="rp-vh">{t(lang, 'sort.title')}</span>
            <select
              value={state.sort.key}
              onChange={(event) => {
                const key = event.currentTarget.value;
                if (isSortKey(key)) onChange({ sort: { key, dir: state.sort.dir } });
              }}
            >
              {SORT_KEYS.map((key) => (
                <option key={key} value={key}>
                  {t(lang, SORT_LABEL[key])}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            class="rp-button"
            title={t(lang, 'sort.toggle')}
            onClick={() =>
              onChange({
                sort: { key: state.sort.key, dir: state.sort.dir === 'asc' ? 'desc' : 'asc' },
              })
            }
          >
            <span aria-hidden="true">{state.sort.dir === 'asc' ? '↑ ' : '↓ '}</span>
            {t(lang, state.sort.dir === 'asc' ? 'sort.asc' : 'sort.desc')}
          </button>
        </div>
      </fieldset>

      <button
        type="button"
        class="rp-button rp-reset"
        onClick={() => onChange({ filters: structuredClone(EMPTY_FILTERS) })}
      >
        {t(lang, 'filter.reset')}
      </button>
    </section>
  );
}
