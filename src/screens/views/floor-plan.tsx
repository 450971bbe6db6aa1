/**
 * The floor plan: the units of one floor of a section as shapes around the corridor, coloured
 * by status and numbered. Units on the facade side run left to right, those across the corridor
 * right to left, the way a section's flats are numbered round its stair.
 */
import type { JSX } from 'preact';
import { matchesFilters } from '../../core/filtering.js';
import type { Building, PublicInventory, PublicUnit, Section } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import { formatArea } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { statusClass, typeLabel, unitSummary } from './labels.js';
import { resolvePlace, unitsOfSection } from './lookup.js';
import { openUnitPatch } from './navigation.js';
import type { Rect } from './art.js';
import { SvgLabel } from './art.js';
import { SectionTabs, StatusLegend } from './section-tabs.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

export const FLOOR_PLAN_WIDTH = 1000;
const ROW_HEIGHT = 300;
const CORRIDOR_HEIGHT = 110;
const MARGIN = 10;
export const FLOOR_PLAN_HEIGHT = MARGIN * 2 + ROW_HEIGHT * 2 + CORRIDOR_HEIGHT;

export interface FloorShape {
  position: number;
  /** Null where the floor has no unit at this position: drawn as a plain block. */
  unit: PublicUnit | null;
  rect: Rect;
  dimmed: boolean;
  highlighted: boolean;
  selected: boolean;
}

export interface FloorModel {
  building: Building;
  section: Section;
  floor: number;
  /** Floors of the section that have units, lowest first. */
  floors: number[];
  below: number | null;
  above: number | null;
  shapes: FloorShape[];
  corridor: Rect;
}

/**
 * The floor the plan shows: the state's floor if the section has units there; else the open
 * unit's floor; else the lowest floor with a unit for sale, which is where an agent would start.
 */
function resolveFloor(
  state: ViewState,
  floors: readonly number[],
  units: readonly PublicUnit[],
): number | null {
  if (state.floor !== null && floors.includes(state.floor)) return state.floor;

  const open = units.find((u) => u.id === state.unitId);
  if (open) return open.floor;

  const forSale = units.filter((u) => u.status === 'available').map((u) => u.floor);
  if (forSale.length > 0) return Math.min(...forSale);
  return floors[0] ?? null;
}

/** Lays one side of the corridor out: widths follow the units' areas. */
function layRow(
  positions: readonly number[],
  areaOf: (position: number) => number,
  y: number,
): { position: number; rect: Rect }[] {
  const total = positions.reduce((sum, p) => sum + areaOf(p), 0) || 1;
  const usable = FLOOR_PLAN_WIDTH - MARGIN * 2;
  let x = MARGIN;

  return positions.map((position) => {
    const width = (usable * areaOf(position)) / total;
    const rect = { x, y, width, height: ROW_HEIGHT };
    x += width;
    return { position, rect };
  });
}

export function floorModel(state: ViewState, inventory: PublicInventory): FloorModel | null {
  const place = resolvePlace(state, inventory);
  if (!place) return null;

  const units = unitsOfSection(inventory, place.section.id);
  const floors = [...new Set(units.map((u) => u.floor))].sort((a, b) => a - b);
  const floor = resolveFloor(state, floors, units);
  if (floor === null) return null;

  const onFloor = new Map(units.filter((u) => u.floor === floor).map((u) => [u.position, u]));
  const count = Math.max(place.section.positions, ...onFloor.keys());
  const meanArea =
    onFloor.size > 0
      ? [...onFloor.values()].reduce((s, u) => s + u.areaTotal, 0) / onFloor.size
      : 1;
  const areaOf = (position: number) => onFloor.get(position)?.areaTotal ?? meanArea;

  const topCount = Math.ceil(count / 2);
  const top = Array.from({ length: topCount }, (_, i) => i + 1);
  const bottom = Array.from({ length: count - topCount }, (_, i) => count - i);
  const highlighted = new Set(state.highlighted);

  const laid = [
    ...layRow(top, areaOf, MARGIN),
    ...layRow(bottom, areaOf, MARGIN + ROW_HEIGHT + CORRIDOR_HEIGHT),
  ];
  const shapes = laid
    .sort((a, b) => a.position - b.position)
    .map(({ position, rect }): FloorShape => {
      const unit = onFloor.get(position) ?? null;
      return {
        position,
        unit,
        rect,
        dimmed: unit !== null && !matchesFilters(unit, state.filters, inventory),
        highlighted: unit !== null && highlighted.has(unit.id),
        selected: unit !== null && unit.id === state.unitId,
      };
    });

  const index = floors.indexOf(floor);
  return {
    ...place,
    floor,
    floors,
    below: floors[index - 1] ?? null,
    above: floors[index + 1] ?? null,
    shapes,
    corridor: {
      x: MARGIN,
      y: MARGIN + ROW_HEIGHT,
      width: FLOOR_PLAN_WIDTH - MARGIN * 2,
      height: CORRIDOR_HEIGHT,
    },
  };
}

function shapeClass(shape: FloorShape): string {
  const classes = ['rp-shape'];
  if (shape.unit) classes.push(statusClass(shape.unit.status));
  else classes.push('rp-shape-none');
  if (shape.dimmed) classes.push('rp-dimmed');
  if (shape.highlighted) classes.push('rp-highlighted');
  if (shape.selected) classes.push('rp-selected');
  return classes.join(' ');
}

/**
 * Label sizes in plan units. The phone draws the same 1000-unit-wide plan into about 340 px, so
 * the viewer's labels are larger: a 64-unit number comes out near 22 px on a phone.
 */
const LABEL_SIZES: Record<ViewProps['mode'], { number: number; detail: number }> = {
  console: { number: 44, detail: 28 },
  viewer: { number: 64, detail: 40 },
};

function ShapeBody({
  shape,
  lang,
  mode,
}: {
  shape: FloorShape;
  lang: Lang;
  mode: ViewProps['mode'];
}) {
  const { rect, unit } = shape;
  const size = LABEL_SIZES[mode];
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  const maxWidth = rect.width - 20;

  return (
    <>
      <rect x={rect.x + 3} y={rect.y + 3} width={rect.width - 6} height={rect.height - 6} rx={6} />
      {unit && (
        <>
          <SvgLabel
            x={cx}
            y={cy - size.detail * 0.4}
            size={size.number}
            maxWidth={maxWidth}
            class="rp-shape-number"
            text={unit.number}
          />
          <SvgLabel
            x={cx}
            y={cy + size.detail * 1.1}
            size={size.detail}
            maxWidth={maxWidth}
            class="rp-shape-detail"
            text={typeLabel(unit, lang)}
          />
          <SvgLabel
            x={cx}
            y={cy + size.detail * 2.3}
            size={size.detail}
            maxWidth={maxWidth}
            class="rp-shape-detail"
            text={formatArea(lang, unit.areaTotal)}
          />
        </>
      )}
    </>
  );
}

export function FloorPlan(props: ViewProps) {
  const { state, inventory, lang } = props;
  const edit = editorOf(props);
  const model = floorModel(state, inventory);

  if (!model) {
    return (
      <section class="rp-view rp-floor" aria-label={t(lang, 'view.floor')}>
        <p class="rp-empty">{t(lang, 'floor.empty')}</p>
      </section>
    );
  }

  const { building, section, floor, corridor } = model;
  const planLabel = t(lang, 'floor.plan', { floor, section: section.number });
  const topFloor = Math.max(section.floors, model.floors[model.floors.length - 1] ?? floor);
  const stepTo = (target: number) => () =>
    edit?.({ buildingId: building.id, sectionId: section.id, floor: target });

  return (
    <section class="rp-view rp-floor" aria-label={t(lang, 'view.floor')}>
      <header class="rp-view-head">
        <h2>
          {building.name} · {t(lang, 'place.section', { number: section.number })}
        </h2>
        <SectionTabs place={model} lang={lang} onSelect={edit} />
      </header>
      <div class="rp-stepper">
        {edit && (
          <button
            type="button"
            class="rp-button"
            disabled={model.below === null}
            onClick={model.below === null ? undefined : stepTo(model.below)}
          >
            {t(lang, 'floor.down')}
          </button>
        )}
        <p class="rp-stepper-value" aria-live="polite">
          {t(lang, 'floor.of', { floor, floors: topFloor })}
        </p>
        {edit && (
          <button
            type="button"
            class="rp-button"
            disabled={model.above === null}
            onClick={model.above === null ? undefined : stepTo(model.above)}
          >
            {t(lang, 'floor.up')}
          </button>
        )}
      </div>
      <svg
        class="rp-floor-plan"
        viewBox={`0 0 ${FLOOR_PLAN_WIDTH} ${FLOOR_PLAN_HEIGHT}`}
        role="group"
        aria-label={planLabel}
      >
        <rect class="rp-floor-corridor" {...corridor} />
        <text
          class="rp-floor-corridor-label"
          x={corridor.x + corridor.width / 2}
          y={corridor.y + corridor.height / 2 + 10}
          aria-hidden="true"
        >
          {t(lang, 'floor.corridor')} · {t(lang, 'floor.lifts')}
        </text>
        {model.shapes.map((shape) => {
          const unit = shape.unit;
          if (!unit) {
            return (
              <g key={`p${shape.position}`} class={shapeClass(shape)} aria-hidden="true">
                <ShapeBody shape={shape} lang={lang} mode={props.mode} />
              </g>
            );
          }

          const label = unitSummary(unit, lang);
          const common: JSX.SVGAttributes<SVGGElement> = {
            class: shapeClass(shape),
            'aria-label': label,
          };
          if (!edit) {
            return (
              <g key={unit.id} {...common} role="img">
                <ShapeBody shape={shape} lang={lang} mode={props.mode} />
              </g>
            );
          }

          const open = () => edit(openUnitPatch(unit));
          return (
            <g
              key={unit.id}
              {...common}
              role="button"
              tabIndex={0}
              aria-current={shape.selected ? 'true' : undefined}
              onClick={open}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  open();
                }
              }}
            >
              <ShapeBody shape={shape} lang={lang} mode={props.mode} />
            </g>
          );
        })}
      </svg>
      <StatusLegend lang={lang} />
    </section>
  );
}
