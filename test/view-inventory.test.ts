/**
 * The inventory cut for the buyer's first frame (src/core/view-inventory.ts): for every view,
 * the phone draws from the cut exactly what it would draw from the whole inventory, and the cut
 * holds the section shown and the units named, no more.
 */
import { h } from 'preact';
import type { ComponentChildren, VNode } from 'preact';
import { describe, expect, it } from 'vitest';

import { toPublicInventory } from '../src/core/inventory.js';
import type { PublicInventory } from '../src/core/inventory.js';
import {
  cutCovers,
  cutInventory,
  resolveSectionId,
  viewNeeds,
} from '../src/core/view-inventory.js';
import { EMPTY_FILTERS, initialViewState } from '../src/core/view-state.js';
import type { ViewState } from '../src/core/view-state.js';
import { generateDemoInventory } from '../src/server/inventory/demo.js';
import type { Lang } from '../src/screens/i18n.js';
import { resolvePlace } from '../src/screens/views/lookup.js';
import { ViewRouter } from '../src/screens/views/view-router.js';

const demo = generateDemoInventory();
const whole: PublicInventory = toPublicInventory(demo.complex, demo.units);
const sections = demo.complex.buildings.flatMap((b) => b.sections);
const [firstSection, secondSection] = [sections[0]!, sections[1]!];
const unitsOf = (sectionId: string) => whole.units.filter((u) => u.sectionId === sectionId);
const someUnit = unitsOf(secondSection.id)[3]!;
const elsewhere = unitsOf(sections.at(-1)!.id)[5]!;

function stateWith(patch: Partial<ViewState> = {}): ViewState {
  return { ...initialViewState(), ...patch };
}

/** Calls function components until only host elements and text remain (as in views.test). */
function expand(node: ComponentChildren): unknown[] {
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
  const attributes = Object.fromEntries(
    Object.entries(props).filter(([, value]) => typeof value !== 'function'),
  );
  return [{ type: vnode.type, attributes, children: expand(children) }];
}

const drawn = (state: ViewState, inventory: PublicInventory, lang: Lang) =>
  JSON.stringify(expand(h(ViewRouter, { state, inventory, lang, mode: 'viewer' })));

const STATES: [string, ViewState][] = [
  ['the overview', stateWith({ view: 'overview' })],
  ['the grid of the first section, by default', stateWith({ view: 'grid' })],
  [
    'the grid of a section, with a unit highlighted elsewhere',
    stateWith({
      view: 'grid',
      buildingId: secondSection.buildingId,
      sectionId: secondSection.id,
      highlighted: [someUnit.id, elsewhere.id],
    }),
  ],
  [
    'the grid of a building, filtered',
    stateWith({
      view: 'grid',
      buildingId: secondSection.buildingId,
      filters: { ...structuredClone(EMPTY_FILTERS), rooms: ['2'], notLast: true },
    }),
  ],
  ['a grid with a stale section id', stateWith({ view: 'grid', sectionId: 'gone' })],
  [
    'the floor plan',
    stateWith({
      view: 'floor',
      sectionId: someUnit.sectionId,
      floor: someUnit.floor,
      unitId: someUnit.id,
    }),
  ],
  [
    'a unit card',
    stateWith({
      view: 'unit',
      unitId: someUnit.id,
      sectionId: someUnit.sectionId,
      galleryIndex: 2,
    }),
  ],
  ['a unit card of a unit gone', stateWith({ view: 'unit', unitId: 'gone' })],
  [
    'the shortlist',
    stateWith({ view: 'shortlist', shortlist: [someUnit.id, elsewhere.id, 'gone'] }),
  ],
];

describe('cutInventory', () => {
  it.each(STATES)('draws %s from the cut as from the whole inventory', (_name, state) => {
    const cut = cutInventory(whole, state);
    expect(cut).not.toBeNull();
    expect(cut!.inventory.units.length).toBeLessThan(whole.units.length / 4);
    for (const lang of ['ru', 'en'] as const) {
      expect(drawn(state, cut!.inventory, lang)).toBe(drawn(state, whole, lang));
    }
    expect(cutCovers(cut!.scope, cut!.inventory, state)).toBe(true);
  });

  it("holds a grid's section and the units the state names, and nothing else", () => {
    const state = stateWith({
      view: 'grid',
      sectionId: secondSection.id,
      highlighted: [elsewhere.id],
      shortlist: ['gone'],
    });
    const cut = cutInventory(whole, state)!;
    const expected = [...unitsOf(secondSection.id), elsewhere].map((u) => u.id).sort();
    expect(cut.inventory.units.map((u) => u.id).sort()).toEqual(expected);
    expect(cut.scope).toEqual({ sections: [secondSection.id], units: [elsewhere.id, 'gone'] });
    expect(cut.inventory.complex).toBe(whole.complex);
    // The overview's sums come with it, over the whole inventory.
    expect(Object.keys(cut.inventory.buildingSummaries!)).toEqual(
      demo.complex.buildings.map((b) => b.id),
    );
  });

  it('gives the list the whole inventory: it ranks and counts every unit', () => {
    expect(cutInventory(whole, stateWith({ view: 'list' }))).toBeNull();
    expect(viewNeeds(stateWith({ view: 'list' }), whole.complex, () => undefined)).toEqual({
      all: true,
    });
  });

  it('resolves the place shown as the views do', () => {
    const byId = new Map(whole.units.map((u) => [u.id, u.sectionId]));
    const cases = [
      stateWith({}),
      stateWith({ sectionId: secondSection.id }),
      stateWith({ buildingId: secondSection.buildingId }),
      stateWith({ unitId: elsewhere.id }),
      stateWith({ sectionId: 'gone', buildingId: 'gone', unitId: 'gone' }),
    ];
    for (const state of cases) {
      expect(resolveSectionId(state, whole.complex, (id) => byId.get(id))).toBe(
        resolvePlace(state, whole)?.section.id ?? null,
      );
    }
  });
});

describe('cutCovers', () => {
  const gridState = stateWith({ view: 'grid', sectionId: firstSection.id });
  const cut = cutInventory(whole, gridState)!;

  it('covers another view of the same section and its units', () => {
    const unit = unitsOf(firstSection.id)[0]!;
    expect(cutCovers(cut.scope, cut.inventory, stateWith({ view: 'unit', unitId: unit.id }))).toBe(
      true,
    );
    expect(cutCovers(cut.scope, cut.inventory, stateWith({ view: 'overview' }))).toBe(true);
  });

  it('does not cover another section, a unit outside the cut, or the list', () => {
    const other = stateWith({ view: 'grid', sectionId: secondSection.id });
    expect(cutCovers(cut.scope, cut.inventory, other)).toBe(false);
    const outside = stateWith({ view: 'shortlist', shortlist: [elsewhere.id] });
    expect(cutCovers(cut.scope, cut.inventory, outside)).toBe(false);
    expect(cutCovers(cut.scope, cut.inventory, stateWith({ view: 'list' }))).toBe(false);
  });
});
