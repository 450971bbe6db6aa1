/**
 * The availability grid (шахматка): one section at a time, floors as rows from the top down,
 * risers as columns. A cell shows the unit's type, area and short price, coloured by status;
 * units outside the filters are dimmed rather than hidden, so the shape of the house stays put.
 */
import { matchesFilters } from '../../core/filtering.js';
import type { Building, PublicInventory, PublicUnit, Section } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import { formatNumber, formatPriceShort } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { statusClass, statusName, typeLabel } from './labels.js';
import { resolvePlace, unitsOfSection } from './lookup.js';
import { openUnitPatch } from './navigation.js';
import { SectionTabs, StatusLegend } from './section-tabs.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

export interface GridCell {
  unit: PublicUnit;
  /** Outside the active filters. */
  dimmed: boolean;
  highlighted: boolean;
  /** The unit the state has open. */
  selected: boolean;
}

export interface GridRow {
  floor: number;
  /** One entry per riser, left to right; null where the floor has no unit at that position. */
  cells: (GridCell | null)[];
}

export interface GridModel {
  building: Building;
  section: Section;
  positions: number[];
  rows: GridRow[];
  /** Units of the section that pass the filters. */
  matching: number;
}

/** The grid of the section the state points at, or null when the complex has no sections. */
export function gridModel(state: ViewState, inventory: PublicInventory): GridModel | null {
  const place = resolvePlace(state, inventory);
  if (!place) return null;

  const { building, section } = place;
  const units = unitsOfSection(inventory, section.id);
  const highlighted = new Set(state.highlighted);
  const byFloor = new Map<number, Map<number, PublicUnit>>();
  let maxPosition = section.positions;
  let maxFloor = section.floors;

  for (const unit of units) {
    const floor = byFloor.get(unit.floor) ?? new Map<number, PublicUnit>();
    floor.set(unit.position, unit);
    byFloor.set(unit.floor, floor);
    maxPosition = Math.max(maxPosition, unit.position);
    maxFloor = Math.max(maxFloor, unit.floor);
  }

  const positions = Array.from({ length: maxPosition }, (_, i) => i + 1);
  const rows: GridRow[] = [];
  let matching = 0;

  // Top floor first, as the house stands; floors without flats (lobbies, shops) are left out.
  for (let floor = maxFloor; floor >= 1; floor -= 1) {
    const onFloor = byFloor.get(floor);
    if (!onFloor) continue;

    const cells = positions.map((position): GridCell | null => {
      const unit = onFloor.get(position);
      if (!unit) return null;
      const dimmed = !matchesFilters(unit, state.filters, inventory);
      if (!dimmed) matching += 1;
      return {
        unit,
        dimmed,
        highlighted: highlighted.has(unit.id),
        selected: unit.id === state.unitId,
      };
    });
    rows.push({ floor, cells });
  }

  return { building, section, positions, rows, matching };
}

export function cellClass(cell: GridCell): string {
  const classes = ['rp-cell', statusClass(cell.unit.status)];
  if (cell.dimmed) classes.push('rp-dimmed');
  if (cell.highlighted) classes.push('rp-highlighted');
  if (cell.selected) classes.push('rp-selected');
  return classes.join(' ');
}

/** What a screen reader hears for a cell besides what it shows. */
function cellHiddenText(cell: GridCell, lang: Lang, liked: boolean): string {
  const notes = [statusName(cell.unit.status, lang)];
  if (cell.dimmed) notes.push(t(lang, 'grid.outsideFilters'));
  if (cell.highlighted) notes.push(t(lang, 'grid.highlighted'));
  if (cell.selected) notes.push(t(lang, 'grid.selected'));
  if (liked) notes.push(t(lang, 'grid.liked'));
  return notes.join(', ');
}

function CellContent({ cell, lang, liked }: { cell: GridCell; lang: Lang; liked: boolean }) {
  const { unit } = cell;
  return (
    <>
      <span class="rp-vh">{t(lang, 'place.unitShort', { number: unit.number })}. </span>
      {liked && (
        <span class="rp-cell-liked" aria-hidden="true">
          ♥
        </span>
      )}
      <span class="rp-cell-type">{typeLabel(unit, lang)}</span>
      <span class="rp-cell-area">{formatNumber(lang, unit.areaTotal)}</span>
      {unit.price !== null && (
        <span class="rp-cell-price">{formatPriceShort(lang, unit.price)}</span>
      )}
      <span class="rp-vh">. {cellHiddenText(cell, lang, liked)}</span>
    </>
  );
}

export function Grid(props: ViewProps) {
  const { state, inventory, lang, mode } = props;
  const edit = editorOf(props);
  const model = gridModel(state, inventory);
  // The buyer's hearts are for the agent's eyes; a buyer's own phone does not mark them.
  const liked = mode === 'console' ? props.liked : undefined;

  if (!model) {
    return (
      <section class="rp-view rp-grid" aria-label={t(lang, 'view.grid')}>
        <p class="rp-empty">{t(lang, 'grid.empty')}</p>
      </section>
    );
  }

  const { building, section } = model;
  const caption = t(lang, 'grid.caption', { building: building.name, section: section.number });

  return (
    <section class="rp-view rp-grid" aria-label={t(lang, 'view.grid')}>
      <header class="rp-view-head">
        <h2>
          {building.name} · {t(lang, 'place.section', { number: section.number })}
        </h2>
        <SectionTabs place={model} lang={lang} onSelect={edit} />
      </header>
      <div class="rp-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table class={`rp-grid-table rp-grid-${mode}`}>
          <caption class="rp-vh">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" class="rp-grid-corner">
                {t(lang, 'grid.floorHeader')}
              </th>
              {model.positions.map((position) => (
                <th key={position} scope="col" class="rp-grid-position">
                  <span aria-hidden="true">{position}</span>
                  <span class="rp-vh">{t(lang, 'grid.position', { number: position })}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr key={row.floor}>
                <th scope="row" class="rp-grid-floor">
                  {row.floor}
                </th>
                {row.cells.map((cell, i) =>
                  cell === null ? (
                    <td key={i} class="rp-cell-empty">
                      <span class="rp-vh">{t(lang, 'grid.noUnit')}</span>
                    </td>
                  ) : (
                    <td key={cell.unit.id}>
                      {edit ? (
                        <button
                          type="button"
                          class={cellClass(cell)}
                          aria-current={cell.selected ? 'true' : undefined}
                          onClick={() => edit(openUnitPatch(cell.unit))}
                        >
                          <CellContent
                            cell={cell}
                            lang={lang}
                            liked={liked?.has(cell.unit.id) ?? false}
                          />
                        </button>
                      ) : (
                        <div
                          class={cellClass(cell)}
                          aria-current={cell.selected ? 'true' : undefined}
                        >
                          <CellContent cell={cell} lang={lang} liked={false} />
                        </div>
                      )}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <StatusLegend lang={lang} />
    </section>
  );
}
