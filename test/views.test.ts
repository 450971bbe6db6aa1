/**
 * The shared view layer without a DOM: the data models behind each view, the dictionaries, the
 * formatters, and the component trees themselves, expanded into plain elements so the tests can
 * check what each mode renders (the viewer must carry no controls, the console no secrets to
 * the buyer). Rendering in a real browser, with axe, is covered elsewhere.
 */
import { h } from 'preact';
import type { ComponentChildren, VNode } from 'preact';
import { describe, expect, it } from 'vitest';

import { ERRORS } from '../src/core/errors.js';
import type { ErrorCode } from '../src/core/errors.js';
import {
  FINISHINGS,
  PUBLIC_STATUSES,
  ROOM_KINDS,
  WINDOW_VIEWS,
  toPublicInventory,
} from '../src/core/inventory.js';
import type {
  Complex,
  PublicInventory,
  PublicStatus,
  PublicUnit,
  RoomKind,
  UnitInternal,
} from '../src/core/inventory.js';
import { EMPTY_FILTERS, VIEWS, initialViewState } from '../src/core/view-state.js';
import type { Filters, ViewPatch, ViewState } from '../src/core/view-state.js';
import { generateDemoInventory } from '../src/server/inventory/demo.js';
import {
  formatArea,
  formatDateTime,
  formatDuration,
  formatPerM2,
  formatPrice,
  formatPriceShort,
  formatQuarter,
} from '../src/screens/format.js';
import {
  DICTIONARIES,
  detectLang,
  errorMessage,
  plural,
  pluralCategory,
  t,
} from '../src/screens/i18n.js';
import type { Lang } from '../src/screens/i18n.js';
// The console's strings join the dictionary when the console loads them, as its page does.
import '../src/screens/console/strings.js';
import {
  GALLERY_SIZE,
  GalleryImage,
  LayoutPlan,
  galleryIndexOf,
  hashSeed,
  planModel,
} from '../src/screens/views/art.js';
import {
  FilterSummary,
  FiltersPanel,
  filterChips,
  parseBound,
  withBuildings,
} from '../src/screens/views/filters.js';
import { floorModel } from '../src/screens/views/floor-plan.js';
import { gridModel } from '../src/screens/views/grid.js';
import { roomsName, typeLabel } from '../src/screens/views/labels.js';
import { LIST_LIMIT, listModel } from '../src/screens/views/list.js';
import { openUnitPatch, sortPatch, toggled } from '../src/screens/views/navigation.js';
import { overviewModel } from '../src/screens/views/overview.js';
import { shortlistModel } from '../src/screens/views/shortlist.js';
import { MORTGAGE, mortgageEstimates, unitCardModel } from '../src/screens/views/unit-card.js';
import { ViewRouter, resolveView } from '../src/screens/views/view-router.js';
import type { ViewProps } from '../src/screens/views/view-props.js';

const NBSP = '\u00a0';

// ---------------------------------------------------------------- fixture

const complex: Complex = {
  id: 'c1',
  name: 'Речной',
  address: 'Москва, Береговой проезд, 5',
  buildings: [
    {
      id: 'b1',
      name: 'Корпус 1',
      completion: '2027-Q3',
      floors: 4,
      sections: [
        { id: 'b1s1', buildingId: 'b1', number: 1, floors: 4, positions: 3 },
        { id: 'b1s2', buildingId: 'b1', number: 2, floors: 4, positions: 2 },
      ],
    },
    {
      id: 'b2',
      name: 'Корпус 2',
      completion: '2026-Q4',
      floors: 3,
      sections: [{ id: 'b2s1', buildingId: 'b2', number: 1, floors: 3, positions: 2 }],
    },
  ],
};

function unit(
  id: string,
  sectionId: string,
  floor: number,
  position: number,
  fields: Partial<PublicUnit> = {},
): PublicUnit {
  const buildingId = sectionId.slice(0, 2);
  const status: PublicStatus = fields.status ?? 'available';
  const price =
    status === 'available' || status === 'reserved' ? 9_000_000 + floor * 100_000 : null;
  return {
    id,
    buildingId,
    sectionId,
    floor,
    position,
    number: id.toUpperCase(),
    rooms: '2',
    euro: false,
    openPlan: false,
    areaTotal: 55,
    areaLiving: 30,
    areaKitchen: 11,
    ceiling: 2.8,
    finishing: 'white_box',
    view: 'park',
    outdoor: 'loggia',
    bathrooms: 1,
    layoutCode: `${sectionId}-P${position}`,
    price,
    pricePerM2: price === null ? null : Math.round(price / 55),
    offer: null,
    status,
    ...fields,
  };
}

const units: PublicUnit[] = [
  // Section b1s1: floors 2–4, three risers; floor 1 is shops, so it has no units.
  unit('u21', 'b1s1', 2, 1, { rooms: 'studio', areaTotal: 24, areaLiving: 14, areaKitchen: 5 }),
  unit('u22', 'b1s1', 2, 2, { status: 'sold' }),
  unit('u23', 'b1s1', 2, 3, { rooms: '3', areaTotal: 80, areaLiving: 48, areaKitchen: 13 }),
  unit('u31', 'b1s1', 3, 1, { status: 'reserved' }),
  unit('u32', 'b1s1', 3, 2, { euro: true, offer: 'Скидка 5 %' }),
  unit('u41', 'b1s1', 4, 1, { status: 'unavailable', price: null, pricePerM2: null }),
  unit('u43', 'b1s1', 4, 3, { rooms: '1', areaTotal: 38, areaLiving: 18, areaKitchen: 10 }),
  // Section b1s2.
  unit('v11', 'b1s2', 1, 1, { areaTotal: 60, finishing: 'turnkey' }),
  unit('v12', 'b1s2', 1, 2, { status: 'sold' }),
  // Building b2: nothing left for sale.
  unit('w11', 'b2s1', 1, 1, { status: 'sold' }),
  unit('w12', 'b2s1', 2, 2, { status: 'reserved' }),
];

const inventory: PublicInventory = { complex, units };

function stateWith(patch: Partial<ViewState> = {}): ViewState {
  return { ...initialViewState(), ...patch };
}

function filtersWith(patch: Partial<Filters>): Filters {
  return { ...structuredClone(EMPTY_FILTERS), ...patch };
}

// ---------------------------------------------------------------- expanding component trees

interface Element {
  type: string;
  props: Record<string, unknown>;
  children: Node[];
}
type Node = Element | string;

/** Calls function components until only host elements and text remain. */
function expand(node: ComponentChildren): Node[] {
  if (node === null || node === undefined || typeof node === 'boolean') return [];
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'bigint') {
    return [String(node)];
  }
  if (Array.isArray(node)) return node.flatMap((child) => expand(child as ComponentChildren));

  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === 'function') {
    const render = vnode.type as (props: Record<string, unknown>) => ComponentChildren;
    return expand(render(vnode.props));
  }
  const { children, ...props } = vnode.props as Record<string, unknown> & {
    children?: ComponentChildren;
  };
  return [{ type: vnode.type as string, props, children: expand(children) }];
}

function render(props: ViewProps): Node[] {
  return expand(h(ViewRouter, props));
}

function elements(nodes: readonly Node[]): Element[] {
  return nodes.flatMap((node) =>
    typeof node === 'string' ? [] : [node, ...elements(node.children)],
  );
}

function text(nodes: readonly Node[]): string {
  return nodes.map((node) => (typeof node === 'string' ? node : text(node.children))).join('');
}

function handlersOf(element: Element): string[] {
  return Object.keys(element.props).filter(
    (name) => /^on[A-Z]/.test(name) && typeof element.props[name] === 'function',
  );
}

function findByText(nodes: readonly Node[], type: string, content: string): Element | undefined {
  return elements(nodes).find((el) => el.type === type && text(el.children).includes(content));
}

// ---------------------------------------------------------------- i18n

describe('i18n', () => {
  const ru = DICTIONARIES.ru;
  const en = DICTIONARIES.en;
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has the same keys in Russian and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });

  it('has no empty message in either language', () => {
    for (const lang of ['ru', 'en'] as const) {
      for (const [key, value] of Object.entries(DICTIONARIES[lang])) {
        expect(value.trim(), `${lang}:${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders for a key in both languages', () => {
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ru[key]));
    }
  });

  it('fills placeholders and leaves text without them alone', () => {
    expect(t('ru', 'viewer.expiredBody', { agent: 'Анна' })).toContain('(Анна)');
    expect(t('en', 'live.lag', { ms: 42 })).toBe('lag 42 ms');
    expect(t('ru', 'status.available')).toBe('Свободно');
  });

  it('requires the parameters a message names, at compile time', () => {
    // @ts-expect-error: 'viewer.presentedBy' needs {agent}
    expect(t('en', 'viewer.presentedBy')).toBe('Presented by {agent}');
    // @ts-expect-error: 'live.lag' takes {ms}, not {lag}
    expect(t('en', 'live.lag', { lag: 1 })).toBe('lag {ms} ms');
  });

  it('renders a parameter value as given, never as a placeholder again', () => {
    expect(t('en', 'viewer.presentedBy', { agent: '{agent}<b>' })).toBe('Presented by {agent}<b>');
  });

  it('has a next-step sentence for every error code of the catalogue', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      for (const lang of ['ru', 'en'] as const) {
        const sentence = errorMessage(lang, code);
        expect(sentence, `${lang}:${code}`).not.toBe(t(lang, 'error.unknown'));
        expect(sentence.length).toBeGreaterThan(15);
      }
    }
  });

  it('falls back to the generic sentence for an unknown error code', () => {
    expect(errorMessage('ru', 'no_such_code')).toBe(t('ru', 'error.unknown'));
  });

  it('names every status, finishing, window view and room kind', () => {
    for (const lang of ['ru', 'en'] as const) {
      for (const s of PUBLIC_STATUSES) expect(t(lang, `status.${s}`)).toBeTruthy();
      for (const f of FINISHINGS) expect(t(lang, `finishing.${f}`)).toBeTruthy();
      for (const v of WINDOW_VIEWS) expect(t(lang, `windowView.${v}`)).toBeTruthy();
      for (const r of ROOM_KINDS)
        expect(roomsName({ rooms: r, euro: false, openPlan: false }, lang)).toBeTruthy();
    }
    expect(t('ru', 'status.unavailable')).toBe('Недоступно');
  });

  it('declines Russian counts with Intl plural rules', () => {
    expect(plural('ru', 'units', 1)).toBe('1 квартира');
    expect(plural('ru', 'units', 2)).toBe('2 квартиры');
    expect(plural('ru', 'units', 5)).toBe('5 квартир');
    expect(plural('ru', 'units', 11)).toBe('11 квартир');
    expect(plural('ru', 'units', 21)).toBe('21 квартира');
    expect(plural('ru', 'units', 24)).toBe('24 квартиры');
    expect(plural('ru', 'years', 30)).toBe('30 лет');
    expect(plural('en', 'units', 1)).toBe('1 unit');
    expect(plural('en', 'units', 5)).toBe('5 units');
    expect(pluralCategory('ru', 1.5)).toBe('other');
  });

  it('groups thousands in counted phrases', () => {
    expect(plural('ru', 'units', 1250)).toBe(`1${NBSP}250 квартир`);
    expect(plural('en', 'units', 1250)).toBe('1,250 units');
  });

  it('detects the language from the browser list', () => {
    expect(detectLang(['ru-RU', 'en-US'])).toBe('ru');
    expect(detectLang(['en-GB', 'ru'])).toBe('en');
    expect(detectLang(['de-DE', 'en-US'])).toBe('en');
    expect(detectLang(['uk-UA'])).toBe('ru');
    expect(detectLang(['fr-FR'])).toBe('en');
    expect(detectLang([])).toBe('ru');
    expect(detectLang(['RU_ru'])).toBe('ru');
  });
});

// ---------------------------------------------------------------- format

describe('format', () => {
  it('formats prices in whole roubles', () => {
    expect(formatPrice('ru', 12_450_000)).toBe(`12${NBSP}450${NBSP}000${NBSP}₽`);
    expect(formatPrice('en', 12_450_000)).toBe(`12,450,000${NBSP}₽`);
    expect(formatPrice('ru', 9_999_999.6)).toBe(`10${NBSP}000${NBSP}000${NBSP}₽`);
  });

  it('formats short prices in millions and thousands', () => {
    expect(formatPriceShort('ru', 12_450_000)).toBe(`12,5${NBSP}млн${NBSP}₽`);
    expect(formatPriceShort('en', 12_450_000)).toBe(`12.5M${NBSP}₽`);
    expect(formatPriceShort('ru', 850_000)).toBe(`850${NBSP}тыс.${NBSP}₽`);
    expect(formatPriceShort('en', 850_000)).toBe(`850K${NBSP}₽`);
    expect(formatPriceShort('ru', 999_600)).toBe(`1${NBSP}млн${NBSP}₽`);
    expect(formatPriceShort('en', 640)).toBe(`640${NBSP}₽`);
  });

  it('formats areas and prices per square metre', () => {
    expect(formatArea('ru', 42.55)).toBe(`42,6${NBSP}м²`);
    expect(formatArea('en', 42)).toBe(`42${NBSP}m²`);
    expect(formatPerM2('ru', 345_000)).toBe(`345${NBSP}000${NBSP}₽/м²`);
    expect(formatPerM2('en', 345_000)).toBe(`345,000${NBSP}₽/m²`);
  });

  it('formats completion quarters, and shows an unknown shape as it came', () => {
    expect(formatQuarter('2027-Q3', 'ru')).toBe(`III${NBSP}кв.${NBSP}2027`);
    expect(formatQuarter('2027-Q3', 'en')).toBe('Q3 2027');
    expect(formatQuarter('2026-Q1', 'ru')).toBe(`I${NBSP}кв.${NBSP}2026`);
    expect(formatQuarter('soon', 'en')).toBe('soon');
  });

  it('formats countdowns, rounding seconds up and never below zero', () => {
    expect(formatDuration((59 * 60 + 12) * 1000)).toBe('59:12');
    expect(formatDuration(5 * 60 * 1000)).toBe('5:00');
    expect(formatDuration(3723 * 1000)).toBe('1:02:03');
    expect(formatDuration(400)).toBe('0:01');
    expect(formatDuration(-5000)).toBe('0:00');
    expect(formatDuration(Number.NaN)).toBe('0:00');
  });

  it('formats date and time, and gives nothing for an invalid date', () => {
    const when = '2026-12-03T15:58:00Z';
    expect(formatDateTime('ru', when)).toMatch(/2026/);
    expect(formatDateTime('en', when)).toMatch(/Dec/);
    expect(formatDateTime('en', 'not a date')).toBe('');
  });
});

// ---------------------------------------------------------------- labels and navigation

describe('labels and navigation', () => {
  it('writes type labels with Cyrillic letters in Russian and Latin in English', () => {
    expect(typeLabel({ rooms: 'studio', euro: false, openPlan: false }, 'ru')).toBe('С');
    expect(typeLabel({ rooms: 'studio', euro: false, openPlan: false }, 'en')).toBe('S');
    expect(typeLabel({ rooms: '2', euro: true, openPlan: false }, 'ru')).toBe('2Е');
    expect(typeLabel({ rooms: '2', euro: true, openPlan: false }, 'en')).toBe('2E');
    expect(typeLabel({ rooms: '3', euro: false, openPlan: false }, 'ru')).toBe('3');
    expect(typeLabel({ rooms: '2', euro: false, openPlan: true }, 'ru')).toBe('СП');
    expect(roomsName({ rooms: '2', euro: true, openPlan: false }, 'ru')).toBe('Евродвушка (2Е)');
  });

  it('opens a unit with every id the unit view reads', () => {
    const target = units[4]!;
    expect(openUnitPatch(target)).toEqual({
      view: 'unit',
      unitId: 'u32',
      buildingId: 'b1',
      sectionId: 'b1s1',
      floor: 3,
      galleryIndex: 0,
    });
  });

  it('flips the direction when the same sort key is chosen again', () => {
    const state = stateWith({ sort: { key: 'price', dir: 'asc' } });
    expect(sortPatch(state, 'price')).toEqual({ sort: { key: 'price', dir: 'desc' } });
    expect(sortPatch(state, 'area')).toEqual({ sort: { key: 'area', dir: 'asc' } });
  });

  it('toggles a value in a list and keeps the order of the rest', () => {
    expect(toggled(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggled(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });
});

// ---------------------------------------------------------------- models

describe('overviewModel', () => {
  it('sums what each building has for sale and where a click leads', () => {
    const model = overviewModel(inventory);
    const [first, second] = model.buildings;

    expect(model.complexName).toBe('Речной');
    expect(first?.available).toBe(5);
    expect(first?.fromPrice).toBe(9_100_000);
    expect(first?.firstSection?.id).toBe('b1s1');
    expect(second?.available).toBe(0);
    expect(second?.fromPrice).toBeNull();
  });
});

describe('gridModel', () => {
  it('shows the first section of the first building when the state names none', () => {
    const model = gridModel(stateWith({ view: 'grid' }), inventory);
    expect(model?.section.id).toBe('b1s1');
  });

  it('shows the first section of the chosen building', () => {
    const model = gridModel(stateWith({ view: 'grid', buildingId: 'b2' }), inventory);
    expect(model?.section.id).toBe('b2s1');
  });

  it('falls back from a stale section id', () => {
    const model = gridModel(stateWith({ view: 'grid', sectionId: 'gone' }), inventory);
    expect(model?.section.id).toBe('b1s1');
  });

  it('lists floors top first, skips floors without units and leaves gaps empty', () => {
    const model = gridModel(stateWith({ sectionId: 'b1s1' }), inventory)!;

    expect(model.positions).toEqual([1, 2, 3]);
    expect(model.rows.map((r) => r.floor)).toEqual([4, 3, 2]);
    expect(model.rows[0]?.cells.map((c) => c?.unit.id ?? null)).toEqual(['u41', null, 'u43']);
    expect(model.rows[1]?.cells[2]).toBeNull();
  });

  it('dims units outside the filters and counts the rest', () => {
    const state = stateWith({ sectionId: 'b1s1', filters: filtersWith({ rooms: ['2'] }) });
    const model = gridModel(state, inventory)!;
    const cells = model.rows.flatMap((r) => r.cells).filter((c) => c !== null);

    expect(
      cells
        .filter((c) => !c.dimmed)
        .map((c) => c.unit.id)
        .sort(),
    ).toEqual(['u22', 'u31', 'u32', 'u41']);
    expect(model.matching).toBe(4);
  });

  it('marks highlighted units and the open one', () => {
    const state = stateWith({ sectionId: 'b1s1', highlighted: ['u23'], unitId: 'u32' });
    const cells = gridModel(state, inventory)!.rows.flatMap((r) => r.cells);

    expect(cells.find((c) => c?.unit.id === 'u23')?.highlighted).toBe(true);
    expect(cells.find((c) => c?.unit.id === 'u32')?.selected).toBe(true);
    expect(cells.find((c) => c?.unit.id === 'u21')?.highlighted).toBe(false);
  });

  it('has nothing to show for a complex without sections', () => {
    const empty: PublicInventory = { complex: { ...complex, buildings: [] }, units: [] };
    expect(gridModel(initialViewState(), empty)).toBeNull();
  });
});

describe('floorModel', () => {
  it('shows the state floor with one shape per position', () => {
    const model = floorModel(stateWith({ sectionId: 'b1s1', floor: 3 }), inventory)!;

    expect(model.floor).toBe(3);
    expect(model.shapes.map((s) => s.position)).toEqual([1, 2, 3]);
    expect(model.shapes.map((s) => s.unit?.id ?? null)).toEqual(['u31', 'u32', null]);
    expect(model.below).toBe(2);
    expect(model.above).toBe(4);
  });

  it('starts on the open unit’s floor, else on the lowest floor with a unit for sale', () => {
    expect(floorModel(stateWith({ sectionId: 'b1s1', unitId: 'u43' }), inventory)?.floor).toBe(4);
    expect(floorModel(stateWith({ sectionId: 'b1s1' }), inventory)?.floor).toBe(2);
    expect(floorModel(stateWith({ sectionId: 'b1s1', floor: 1 }), inventory)?.floor).toBe(2);
  });

  it('keeps every shape inside the drawing and sides of the corridor apart', () => {
    const model = floorModel(stateWith({ sectionId: 'b1s1', floor: 2 }), inventory)!;
    for (const { rect } of model.shapes) {
      expect(rect.x).toBeGreaterThanOrEqual(0);
      expect(rect.x + rect.width).toBeLessThanOrEqual(1000 + 1e-9);
      expect(
        rect.y + rect.height <= model.corridor.y ||
          rect.y >= model.corridor.y + model.corridor.height,
      ).toBe(true);
    }
  });

  it('has no stepper target past the top or bottom floor', () => {
    const top = floorModel(stateWith({ sectionId: 'b1s1', floor: 4 }), inventory)!;
    expect(top.above).toBeNull();
  });
});

describe('listModel', () => {
  it('lists the units that pass the filters in the state’s order', () => {
    const state = stateWith({
      filters: filtersWith({ buildings: ['b1'], statuses: ['available'] }),
      sort: { key: 'area', dir: 'desc' },
    });
    const model = listModel(state, inventory);

    expect(model.rows.map((u) => u.id)).toEqual(['u23', 'v11', 'u32', 'u43', 'u21']);
    expect(model.total).toBe(5);
    expect(model.truncated).toBe(false);
  });

  it('puts unpriced units last when sorting by price', () => {
    const model = listModel(stateWith({ sort: { key: 'price', dir: 'desc' } }), inventory);
    const prices = model.rows.map((u) => u.price);
    const firstNull = prices.indexOf(null);
    expect(prices.slice(firstNull).every((p) => p === null)).toBe(true);
  });

  it('draws at most LIST_LIMIT rows and says how many there are', () => {
    const many = Array.from({ length: LIST_LIMIT + 20 }, (_, i) =>
      unit(`m${i}`, 'b1s1', 2 + (i % 3), 1 + (i % 3)),
    );
    const model = listModel(initialViewState(), { complex, units: many });
    expect(model.rows).toHaveLength(LIST_LIMIT);
    expect(model.total).toBe(LIST_LIMIT + 20);
    expect(model.truncated).toBe(true);
  });
});

describe('unitCardModel', () => {
  it('has nothing for a unit the inventory does not have', () => {
    expect(unitCardModel(stateWith({ view: 'unit', unitId: 'gone' }), inventory)).toBeNull();
  });

  it('wraps a stale gallery index onto the gallery', () => {
    const model = unitCardModel(stateWith({ unitId: 'u32', galleryIndex: -1 }), inventory);
    expect(model?.galleryIndex).toBe(GALLERY_SIZE - 1);
    expect(galleryIndexOf(GALLERY_SIZE + 2)).toBe(2);
  });

  it('knows whether the unit is shortlisted and highlighted', () => {
    const model = unitCardModel(
      stateWith({ unitId: 'u32', shortlist: ['u32'], highlighted: [] }),
      inventory,
    );
    expect(model?.inShortlist).toBe(true);
    expect(model?.highlighted).toBe(false);
  });

  it('estimates both mortgage scenarios on the stated assumptions', () => {
    const [family, standard] = mortgageEstimates(10_000_000);
    expect(family?.principal).toBe(8_000_000);
    expect(family?.ratePct).toBe(MORTGAGE.familyRatePct);
    expect(family?.monthly).toBe(47_964);
    expect(standard?.monthly).toBeGreaterThan(family!.monthly!);
  });

  it('says the family rate does not apply over its loan limit', () => {
    const [family, standard] = mortgageEstimates(20_000_000);
    expect(family?.monthly).toBeNull();
    expect(standard?.monthly).toBeGreaterThan(0);
  });

  it('estimates nothing for a unit without a price', () => {
    expect(mortgageEstimates(null)).toEqual([]);
  });
});

describe('shortlistModel', () => {
  it('keeps the order of adding, drops repeats and counts units that are gone', () => {
    const model = shortlistModel(
      stateWith({ shortlist: ['u43', 'gone', 'u21', 'u43'] }),
      inventory,
    );
    expect(model.units.map((u) => u.id)).toEqual(['u43', 'u21']);
    expect(model.missing).toBe(1);
  });

  it('marks the best value of comparable rows only', () => {
    const model = shortlistModel(stateWith({ shortlist: ['u21', 'u23', 'u43'] }), inventory);
    const row = (key: string) => model.rows.find((r) => r.key === key)?.best;

    expect(row('areaTotal')).toEqual([1]);
    expect(row('price')).toEqual([0, 1]);
    expect(row('floor')).toEqual([]);
    expect(row('ceiling')).toEqual([]);
  });
});

describe('filters', () => {
  it('summarises active filters as chips', () => {
    const filters = filtersWith({
      buildings: ['b1'],
      rooms: ['studio', '2'],
      euroOnly: true,
      priceMin: 8_000_000,
      priceMax: 12_500_000,
      floorMin: 3,
      notLast: true,
      completion: ['2027-Q3'],
      offersOnly: true,
    });

    expect(filterChips(filters, inventory, 'ru')).toEqual([
      'Корпус 1',
      'Студия',
      '2-комн.',
      'Только евро',
      `Цена 8${NBSP}млн${NBSP}₽–12,5${NBSP}млн${NBSP}₽`,
      'Этаж от 3',
      'Не последний',
      `III${NBSP}кв.${NBSP}2027`,
      'Только акции',
    ]);
    expect(filterChips(EMPTY_FILTERS, inventory, 'en')).toEqual([]);
  });

  it('reads typed bounds with either decimal mark', () => {
    expect(parseBound('12,5', 1_000_000)).toBe(12_500_000);
    expect(parseBound(' 7.25 ', 1_000_000)).toBe(7_250_000);
    expect(parseBound('', 1)).toBeNull();
    expect(parseBound('abc', 1)).toBeNull();
    expect(parseBound('-3', 1)).toBeNull();
  });

  it('drops chosen sections of buildings no longer chosen', () => {
    const filters = filtersWith({ buildings: ['b1', 'b2'], sections: ['b1s2', 'b2s1'] });
    expect(withBuildings(filters, inventory, ['b2'])).toEqual({
      buildings: ['b2'],
      sections: ['b2s1'],
    });
  });
});

describe('resolveView', () => {
  it('shows the grid when the open unit is gone', () => {
    expect(resolveView(stateWith({ view: 'unit', unitId: 'gone' }), inventory)).toBe('grid');
  });

  it('shows the overview when a complex has nothing to draw a grid of', () => {
    const empty: PublicInventory = { complex: { ...complex, buildings: [] }, units: [] };
    expect(resolveView(stateWith({ view: 'grid' }), empty)).toBe('overview');
    expect(resolveView(stateWith({ view: 'floor' }), empty)).toBe('overview');
  });

  it('shows a view that can be drawn as asked', () => {
    for (const view of VIEWS) {
      const state = stateWith({ view, unitId: 'u32', sectionId: 'b1s1' });
      expect(resolveView(state, inventory)).toBe(view);
    }
  });

  it('treats an unknown view name as the overview', () => {
    const state = { ...initialViewState(), view: 'map' } as unknown as ViewState;
    expect(resolveView(state, inventory)).toBe('overview');
  });
});

describe('generated art', () => {
  const plain = units[2]!;

  it('draws the same plan for units on one riser, and another for another layout', () => {
    const upstairs: PublicUnit = { ...plain, id: 'u93', floor: 9, number: 'U93' };
    expect(planModel(upstairs)).toEqual(planModel(plain));
    expect(planModel({ ...plain, layoutCode: 'b1s1-P9' })).not.toEqual(planModel(plain));
    expect(hashSeed('b1s1-P3')).not.toBe(hashSeed('b1s1-P9'));
  });

  it('draws a room per bedroom, a kitchen, bathrooms and a hall', () => {
    const kinds = (u: PublicUnit) =>
      planModel(u)
        .rooms.map((r) => r.kind)
        .sort();
    expect(kinds(plain)).toEqual(['bath', 'hall', 'kitchen', 'room', 'room', 'room']);
    expect(kinds({ ...plain, rooms: '2', euro: true })).toEqual([
      'bath',
      'hall',
      'kitchenLiving',
      'room',
    ]);
    expect(kinds({ ...plain, rooms: 'studio' })).toEqual(['bath', 'hall', 'studio']);
    expect(kinds({ ...plain, bathrooms: 2 }).filter((k) => k === 'bath')).toHaveLength(2);
  });

  it('keeps every room inside the outline and a window in each facade room', () => {
    const plan = planModel(plain);
    const { outline } = plan;
    for (const { rect } of plan.rooms) {
      expect(rect.x).toBeGreaterThanOrEqual(outline.x - 1e-9);
      expect(rect.x + rect.width).toBeLessThanOrEqual(outline.x + outline.width + 1e-6);
      expect(rect.y + rect.height).toBeLessThanOrEqual(outline.y + outline.height + 1e-6);
    }
    expect(plan.windows).toHaveLength(plan.rooms.filter((r) => r.rect.y === outline.y).length);
    expect(plan.outdoor?.kind).toBe('loggia');
    expect(planModel({ ...plain, outdoor: null }).outdoor).toBeNull();
  });

  it('labels the plan and every gallery picture for screen readers', () => {
    const [plan] = expand(h(LayoutPlan, { unit: plain, lang: 'en' })) as Element[];
    expect(plan?.props['aria-label']).toBe('Layout: 3-room, 80\u00a0m². Windows: Park');

    const labels = new Set<string>();
    for (let i = 0; i < GALLERY_SIZE; i += 1) {
      const [svg] = expand(h(GalleryImage, { unit: plain, index: i, lang: 'ru' })) as Element[];
      expect(svg?.props.role).toBe('img');
      labels.add(String(svg?.props['aria-label']));
    }
    expect(labels.size).toBe(GALLERY_SIZE);
  });
});

// ---------------------------------------------------------------- rendered trees

const internal: UnitInternal = {
  reservedBy: 'Ирина Петрова',
  reservedUntil: '2026-12-10T12:00:00Z',
  buyerName: 'Семья Орловых',
  dealStage: 'ипотека одобрена',
  discountLimitPct: 3,
  commissionPct: 1.5,
  notes: 'SECRET-NOTE: готовы поторговаться',
  btiNumber: '77:01:0004012:1234',
  notForSaleReason: null,
};
const internals = new Map([['u32', internal]]);

function statesForEveryView(): ViewState[] {
  const base = {
    sectionId: 'b1s1',
    unitId: 'u32',
    highlighted: ['u23'],
    shortlist: ['u32', 'u21'],
    filters: filtersWith({ rooms: ['2'] as RoomKind[] }),
  };
  return VIEWS.map((view) => stateWith({ ...base, view }));
}

describe('the viewer renders no controls', () => {
  for (const state of statesForEveryView()) {
    it(`has no input, no handler and no button in the ${state.view} view`, () => {
      const tree = render({ state, inventory, lang: 'ru', mode: 'viewer', internal: internals });
      const all = elements(tree);

      expect(
        all.filter((el) => ['input', 'select', 'textarea', 'button'].includes(el.type)),
      ).toEqual([]);
      expect(all.flatMap(handlersOf)).toEqual([]);
      expect(all.filter((el) => el.props.role === 'button')).toEqual([]);
    });
  }

  it('ignores an onChange handed to it by mistake', () => {
    const patches: ViewPatch[] = [];
    const state = stateWith({ view: 'grid', sectionId: 'b1s1' });
    const tree = render({
      state,
      inventory,
      lang: 'ru',
      mode: 'viewer',
      onChange: (p) => patches.push(p),
    });
    expect(elements(tree).flatMap(handlersOf)).toEqual([]);
  });

  it('offers local gallery paging when the shell asks for it, and nothing else', () => {
    const pages: number[] = [];
    const state = stateWith({ view: 'unit', unitId: 'u32', galleryIndex: 0 });
    const tree = render({
      state,
      inventory,
      lang: 'ru',
      mode: 'viewer',
      onGalleryIndex: (i) => pages.push(i),
    });
    const buttons = elements(tree).filter((el) => el.type === 'button');

    expect(buttons.map((b) => b.props['aria-label'])).toEqual([
      t('ru', 'gallery.prev'),
      t('ru', 'gallery.next'),
    ]);
    (buttons[0]?.props.onClick as () => void)();
    (buttons[1]?.props.onClick as () => void)();
    expect(pages).toEqual([GALLERY_SIZE - 1, 1]);
  });

  it('never shows internal fields to the buyer', () => {
    const state = stateWith({ view: 'unit', unitId: 'u32' });
    const viewer = text(
      render({ state, inventory, lang: 'ru', mode: 'viewer', internal: internals }),
    );
    const console_ = text(
      render({ state, inventory, lang: 'ru', mode: 'console', internal: internals }),
    );

    expect(viewer).not.toContain('SECRET-NOTE');
    expect(viewer).not.toContain(t('ru', 'internal.title'));
    expect(console_).toContain('SECRET-NOTE');
    expect(console_).toContain(t('ru', 'internal.title'));
  });

  it('shows the buyer which filters the agent chose', () => {
    const state = stateWith({ view: 'list', filters: filtersWith({ offersOnly: true }) });
    const tree = render({ state, inventory, lang: 'ru', mode: 'viewer' });
    expect(text(tree)).toContain('Только акции');
  });
});

describe('the console turns clicks into view-state changes', () => {
  function consoleTree(state: ViewState, patches: ViewPatch[], lang: Lang = 'ru') {
    return render({ state, inventory, lang, mode: 'console', onChange: (p) => patches.push(p) });
  }

  it('opens a unit from a grid cell', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(stateWith({ view: 'grid', sectionId: 'b1s1' }), patches);
    const cell = findByText(tree, 'button', 'Кв. U23');

    (cell?.props.onClick as () => void)();
    expect(patches).toEqual([openUnitPatch(units[2]!)]);
  });

  it('switches sections with tabs that say which one is pressed', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(stateWith({ view: 'grid', sectionId: 'b1s1' }), patches);
    const tabs = elements(tree).filter((el) => el.props.class === 'rp-tab');

    expect(tabs.map((tab) => tab.props['aria-pressed'])).toEqual([true, false]);
    (tabs[1]?.props.onClick as () => void)();
    expect(patches).toEqual([{ buildingId: 'b1', sectionId: 'b1s2' }]);
  });

  it('opens a building’s grid from the overview', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(stateWith({ view: 'overview' }), patches);
    (findByText(tree, 'button', 'Корпус 2')?.props.onClick as () => void)();
    expect(patches).toEqual([{ view: 'grid', buildingId: 'b2', sectionId: 'b2s1', floor: null }]);
  });

  it('sorts the list from its column headers', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(
      stateWith({ view: 'list', sort: { key: 'price', dir: 'asc' } }),
      patches,
      'en',
    );
    const header = elements(tree).find(
      (el) => el.type === 'th' && el.props['aria-sort'] === 'ascending',
    );

    expect(text(header?.children ?? [])).toContain('Price');
    (findByText(header?.children ?? [], 'button', 'Price')?.props.onClick as () => void)();
    expect(patches).toEqual([{ sort: { key: 'price', dir: 'desc' } }]);
  });

  it('adds to the shortlist and pages the gallery from the unit card', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(
      stateWith({ view: 'unit', unitId: 'u32', shortlist: ['u21'] }),
      patches,
    );

    (findByText(tree, 'button', t('ru', 'shortlist.add'))?.props.onClick as () => void)();
    const next = elements(tree).find((el) => el.props['aria-label'] === t('ru', 'gallery.next'));
    (next?.props.onClick as () => void)();
    expect(patches).toEqual([{ shortlist: ['u21', 'u32'] }, { galleryIndex: 1 }]);
  });

  it('steps floors on the floor plan and opens a unit from its shape', () => {
    const patches: ViewPatch[] = [];
    const tree = consoleTree(stateWith({ view: 'floor', sectionId: 'b1s1', floor: 3 }), patches);

    (findByText(tree, 'button', t('ru', 'floor.up'))?.props.onClick as () => void)();
    const shape = elements(tree).find((el) => el.props.role === 'button');
    (shape?.props.onKeyDown as (e: { key: string; preventDefault(): void }) => void)({
      key: 'Enter',
      preventDefault() {},
    });
    expect(patches[0]).toEqual({ buildingId: 'b1', sectionId: 'b1s1', floor: 4 });
    expect(patches[1]).toMatchObject({ view: 'unit', unitId: 'u31' });
  });

  it('edits filters with whole-filters changes', () => {
    const patches: ViewPatch[] = [];
    const state = stateWith({ filters: filtersWith({ rooms: ['1'] }) });
    const tree = expand(
      h(FiltersPanel, {
        state,
        inventory,
        lang: 'ru',
        onChange: (p: ViewPatch) => patches.push(p),
      }),
    );

    const studio = findByText(tree, 'button', 'Студия');
    expect(studio?.props['aria-pressed']).toBe(false);
    (studio?.props.onClick as () => void)();
    expect(patches[0]?.filters?.rooms).toEqual(['1', 'studio']);

    const priceFrom = elements(tree).find(
      (el) => el.type === 'input' && el.props.inputMode === 'decimal',
    );
    (priceFrom?.props.onChange as (e: { currentTarget: { value: string } }) => void)({
      currentTarget: { value: '9,5' },
    });
    expect(patches[1]?.filters).toMatchObject({ rooms: ['1'], priceMin: 9_500_000 });
  });
});

describe('every view, on the demo inventory', () => {
  const demo = generateDemoInventory();
  const publicDemo = toPublicInventory(demo.complex, demo.units);
  const sample = publicDemo.units.find((u) => u.status === 'available')!;

  for (const lang of ['ru', 'en'] as const) {
    for (const mode of ['console', 'viewer'] as const) {
      it(`renders all six views in ${lang}, ${mode} mode, with every placeholder filled`, () => {
        for (const view of VIEWS) {
          const state = stateWith({
            view,
            buildingId: sample.buildingId,
            sectionId: sample.sectionId,
            unitId: sample.id,
            shortlist: publicDemo.units.slice(0, 3).map((u) => u.id),
            filters: filtersWith({ priceMax: 15_000_000, notFirst: true }),
          });
          const tree = render({ state, inventory: publicDemo, lang, mode, onChange: () => {} });
          const all = elements(tree);
          const content = text(tree);

          expect(content.length, view).toBeGreaterThan(20);
          expect(content, view).not.toMatch(/\{\w+\}/);
          expect(
            all.some((el) => 'dangerouslySetInnerHTML' in el.props),
            view,
          ).toBe(false);
          // The pages' CSP forbids inline styles: presentation lives in the stylesheets.
          expect(
            all.some((el) => 'style' in el.props),
            view,
          ).toBe(false);
        }
      });
    }
  }

  it('renders the buyer-facing filter summary on its own', () => {
    const state = stateWith({ filters: filtersWith({ statuses: ['available'] }) });
    expect(text(expand(h(FilterSummary, { state, inventory: publicDemo, lang: 'en' })))).toBe(
      'Available',
    );
  });
});
