/**
 * The view state as data: how a patch is applied and how the smallest patch between two states
 * is found. The property tests draw states from the whole space the protocol schema accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FINISHINGS, PUBLIC_STATUSES, ROOM_KINDS } from '../src/core/inventory.js';
import { viewStateSchema } from '../src/core/protocol-schema.js';
import {
  SORT_KEYS,
  VIEWS,
  applyPatch,
  diffViewState,
  initialViewState,
} from '../src/core/view-state.js';
import type { Filters, ViewPatch, ViewState } from '../src/core/view-state.js';

const VIEW_STATE_KEYS = Object.keys(initialViewState()).sort();

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const idList = fc.array(id, { maxLength: 6 });
const money = fc.option(fc.double({ min: 0, max: 1e11, noNaN: true }), { nil: null });
const small = fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: null });
const floor = fc.integer({ min: -5, max: 200 });
const quarter = fc
  .tuple(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 4 }))
  .map(([year, q]) => `${year}-Q${q}`);

const filtersArb: fc.Arbitrary<Filters> = fc.record({
  buildings: idList,
  sections: idList,
  rooms: fc.uniqueArray(fc.constantFrom(...ROOM_KINDS), { maxLength: ROOM_KINDS.length }),
  euroOnly: fc.boolean(),
  priceMin: money,
  priceMax: money,
  areaMin: small,
  areaMax: small,
  floorMin: fc.option(floor, { nil: null }),
  floorMax: fc.option(floor, { nil: null }),
  notFirst: fc.boolean(),
  notLast: fc.boolean(),
  finishing: fc.uniqueArray(fc.constantFrom(...FINISHINGS), { maxLength: FINISHINGS.length }),
  completion: fc.array(quarter, { maxLength: 4 }),
  statuses: fc.uniqueArray(fc.constantFrom(...PUBLIC_STATUSES), {
    maxLength: PUBLIC_STATUSES.length,
  }),
  offersOnly: fc.boolean(),
});

const viewStateShape = {
  view: fc.constantFrom(...VIEWS),
  buildingId: fc.option(id, { nil: null }),
  sectionId: fc.option(id, { nil: null }),
  floor: fc.option(floor, { nil: null }),
  unitId: fc.option(id, { nil: null }),
  filters: filtersArb,
  sort: fc.record({ key: fc.constantFrom(...SORT_KEYS), dir: fc.constantFrom('asc', 'desc') }),
  galleryIndex: fc.integer({ min: 0, max: 100 }),
  highlighted: idList,
  shortlist: idList,
} as const;

const viewStateArb: fc.Arbitrary<ViewState> = fc.record(viewStateShape);
const viewPatchArb: fc.Arbitrary<ViewPatch> = fc.record(viewStateShape, { requiredKeys: [] });

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('the view state arbitrary used by these tests', () => {
  it('draws only states that the protocol schema accepts', () => {
    fc.assert(
      fc.property(viewStateArb, (state) => {
        expect(viewStateSchema.safeParse(state).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('initialViewState', () => {
  it('starts on the overview with no filters, sorted by price ascending', () => {
    const state = initialViewState();

    expect(state.view).toBe('overview');
    expect(state.sort).toEqual({ key: 'price', dir: 'asc' });
    expect(state.filters.buildings).toEqual([]);
    expect(state.filters.priceMin).toBeNull();
    expect(viewStateSchema.safeParse(state).success).toBe(true);
  });

  it('returns a fresh state each time, so changing one does not change the next', () => {
    const first = initialViewState();
    first.filters.buildings.push('b1');
    first.highlighted.push('u1');

    const second = initialViewState();

    expect(second.filters.buildings).toEqual([]);
    expect(second.highlighted).toEqual([]);
  });
});

describe('applyPatch', () => {
  it('replaces the named top-level fields and keeps every other field as it was', () => {
    fc.assert(
      fc.property(viewStateArb, viewPatchArb, (state, patch) => {
        const next = applyPatch(state, patch);

        for (const key of VIEW_STATE_KEYS as (keyof ViewState)[]) {
          const expected = key in patch ? patch[key] : state[key];
          expect(next[key]).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replaces a nested field as a whole rather than merging into it', () => {
    const state = { ...initialViewState(), sort: { key: 'area' as const, dir: 'desc' as const } };

    const next = applyPatch(state, { filters: { ...state.filters, euroOnly: true } });

    expect(next.filters.euroOnly).toBe(true);
    expect(next.sort).toEqual({ key: 'area', dir: 'desc' });
  });

  it('sets a field to null when the patch names it with null', () => {
    const state = { ...initialViewState(), unitId: 'u-17', floor: 4 };

    const next = applyPatch(state, { unitId: null, floor: null });

    expect(next.unitId).toBeNull();
    expect(next.floor).toBeNull();
  });

  it('ignores fields whose value is undefined', () => {
    const state = { ...initialViewState(), view: 'grid' as const, unitId: 'u-17' };

    const next = applyPatch(state, { view: undefined, unitId: undefined, galleryIndex: 3 });

    expect(next.view).toBe('grid');
    expect(next.unitId).toBe('u-17');
    expect(next.galleryIndex).toBe(3);
  });

  it('ignores keys that are not view state fields, so no stray key rides along', () => {
    const patch = JSON.parse(
      '{"view":"list","price":1,"internal":{"notes":"x"},"__proto__":{"polluted":true}}',
    ) as ViewPatch;

    const next = applyPatch(initialViewState(), patch);

    expect(Object.keys(next).sort()).toEqual(VIEW_STATE_KEYS);
    expect(next.view).toBe('list');
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores fields inherited from the prototype of the patch', () => {
    const patch = Object.create({ view: 'floor' }) as ViewPatch;

    const next = applyPatch(initialViewState(), patch);

    expect(next.view).toBe('overview');
  });

  it('never mutates the state or the patch it is given', () => {
    fc.assert(
      fc.property(viewStateArb, viewPatchArb, (state, patch) => {
        const stateBefore = structuredClone(state);
        const patchBefore = structuredClone(patch);
        // Frozen inputs turn any write into a TypeError in strict-mode ESM.
        deepFreeze(state);
        deepFreeze(patch);

        const next = applyPatch(state, patch);

        expect(next).not.toBe(state);
        expect(state).toEqual(stateBefore);
        expect(patch).toEqual(patchBefore);
      }),
      { numRuns: 200 },
    );
  });
});

describe('diffViewState', () => {
  it('gives a patch that turns the first state into the second', () => {
    fc.assert(
      fc.property(viewStateArb, viewStateArb, (from, to) => {
        expect(applyPatch(from, diffViewState(from, to))).toEqual(to);
      }),
      { numRuns: 500 },
    );
  });

  it('names only the fields that differ between the two states', () => {
    fc.assert(
      fc.property(viewStateArb, viewPatchArb, (from, patch) => {
        const to = applyPatch(from, patch);

        const diff = diffViewState(from, to);

        for (const key of Object.keys(diff) as (keyof ViewState)[]) {
          expect(to[key]).not.toEqual(from[key]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is empty between a state and itself or a deep copy of it', () => {
    fc.assert(
      fc.property(viewStateArb, (state) => {
        expect(diffViewState(state, state)).toEqual({});
        expect(diffViewState(state, structuredClone(state))).toEqual({});
      }),
      { numRuns: 300 },
    );
  });

  it('names exactly the one field a single change touched', () => {
    const from = initialViewState();

    expect(diffViewState(from, { ...from, galleryIndex: 2 })).toEqual({ galleryIndex: 2 });
    expect(diffViewState(from, { ...from, buildingId: 'b1' })).toEqual({ buildingId: 'b1' });
  });

  // Regression: fields were compared by JSON text, which depends on key order.
  it('is empty between states equal by value whose nested keys are in another order', () => {
    const from = initialViewState();
    const to: ViewState = { ...from, sort: { dir: from.sort.dir, key: from.sort.key } };

    expect(diffViewState(from, to)).toEqual({});
  });
});
