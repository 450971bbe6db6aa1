import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  buildingSummary,
  matchesFilters,
  mortgagePayment,
  sortUnits,
} from '../src/core/filtering.js';
import { FINISHINGS, PUBLIC_STATUSES, ROOM_KINDS } from '../src/core/inventory.js';
import type { Complex, PublicUnit } from '../src/core/inventory.js';
import { EMPTY_FILTERS, SORT_KEYS } from '../src/core/view-state.js';
import type { Filters, Sort } from '../src/core/view-state.js';

const complex: Complex = {
  id: 'test-park',
  name: 'ЖК «Тестовый»',
  address: 'Москва, Тестовая улица, 1',
  buildings: [
    {
      id: 'b1',
      name: 'Корпус 1',
      completion: '2027-Q2',
      floors: 12,
      sections: [
        { id: 'b1-s1', buildingId: 'b1', number: 1, floors: 12, positions: 4 },
        { id: 'b1-s2', buildingId: 'b1', number: 2, floors: 9, positions: 4 },
      ],
    },
    {
      id: 'b2',
      name: 'Корпус 2',
      completion: '2028-Q2',
      floors: 17,
      sections: [{ id: 'b2-s1', buildingId: 'b2', number: 1, floors: 17, positions: 6 }],
    },
  ],
};
const inventory = { complex };

function unit(fields: Partial<PublicUnit> = {}): PublicUnit {
  return {
    id: 'b1-s1-f5-p2',
    buildingId: 'b1',
    sectionId: 'b1-s1',
    floor: 5,
    position: 2,
    number: '18',
    rooms: '2',
    euro: false,
    openPlan: false,
    areaTotal: 60,
    areaLiving: 32,
    areaKitchen: 12,
    ceiling: 2.8,
    finishing: 'white_box',
    view: 'yard',
    outdoor: 'loggia',
    bathrooms: 1,
    layoutCode: 'K1-S1-P2-2',
    price: 21_000_000,
    pricePerM2: 350_000,
    offer: null,
    status: 'available',
    ...fields,
  };
}

function matches(candidate: PublicUnit, filters: Partial<Filters>): boolean {
  return matchesFilters(candidate, { ...structuredClone(EMPTY_FILTERS), ...filters }, inventory);
}

describe('matchesFilters', () => {
  it('keeps a unit when no filter is set', () => {
    expect(matches(unit(), {})).toBe(true);
    expect(matches(unit({ price: null, pricePerM2: null, status: 'sold' }), {})).toBe(true);
  });

  it('keeps only units of the chosen buildings', () => {
    expect(matches(unit(), { buildings: ['b1'] })).toBe(true);
    expect(matches(unit(), { buildings: ['b2', 'b1'] })).toBe(true);
    expect(matches(unit(), { buildings: ['b2'] })).toBe(false);
  });

  it('keeps only units of the chosen sections', () => {
    expect(matches(unit(), { sections: ['b1-s1'] })).toBe(true);
    expect(matches(unit(), { sections: ['b1-s2'] })).toBe(false);
  });

  it('treats room kinds as a multi-select', () => {
    const rooms: Filters['rooms'] = ['studio', '2'];
    expect(matches(unit({ rooms: 'studio' }), { rooms })).toBe(true);
    expect(matches(unit({ rooms: '2' }), { rooms })).toBe(true);
    expect(matches(unit({ rooms: '1' }), { rooms })).toBe(false);
    expect(matches(unit({ rooms: '4+' }), { rooms })).toBe(false);
  });

  it('keeps only euro layouts when the euro toggle is on', () => {
    expect(matches(unit({ euro: true }), { euroOnly: true })).toBe(true);
    expect(matches(unit({ euro: false }), { euroOnly: true })).toBe(false);
    expect(matches(unit({ euro: false }), { euroOnly: false })).toBe(true);
  });

  it('treats the price range as inclusive and a null bound as open', () => {
    const priced = unit({ price: 21_000_000 });
    expect(matches(priced, { priceMin: 21_000_000, priceMax: 21_000_000 })).toBe(true);
    expect(matches(priced, { priceMin: 21_000_001 })).toBe(false);
    expect(matches(priced, { priceMax: 20_999_999 })).toBe(false);
    expect(matches(priced, { priceMin: null, priceMax: 30_000_000 })).toBe(true);
    expect(matches(priced, { priceMin: 10_000_000, priceMax: null })).toBe(true);
  });

  it('drops a unit without a price as soon as either price bound is set', () => {
    const unpriced = unit({ price: null, pricePerM2: null, status: 'sold' });
    expect(matches(unpriced, { priceMin: 0 })).toBe(false);
    expect(matches(unpriced, { priceMax: 1_000_000_000 })).toBe(false);
  });

  it('compares the area range with the total area, inclusively', () => {
    const flat = unit({ areaTotal: 60, areaLiving: 32 });
    expect(matches(flat, { areaMin: 60, areaMax: 60 })).toBe(true);
    expect(matches(flat, { areaMin: 60.1 })).toBe(false);
    expect(matches(flat, { areaMax: 59.9 })).toBe(false);
    expect(matches(flat, { areaMax: 40 })).toBe(false);
  });

  it('treats the floor range as inclusive', () => {
    expect(matches(unit({ floor: 5 }), { floorMin: 5, floorMax: 5 })).toBe(true);
    expect(matches(unit({ floor: 5 }), { floorMin: 6 })).toBe(false);
    expect(matches(unit({ floor: 5 }), { floorMax: 4 })).toBe(false);
  });

  it('drops the first floor when "not first" is on', () => {
    expect(matches(unit({ floor: 1 }), { notFirst: true })).toBe(false);
    expect(matches(unit({ floor: 2 }), { notFirst: true })).toBe(true);
  });

  it('drops the top floor of the unit\'s own section when "not last" is on', () => {
    const inShortSection = { buildingId: 'b1', sectionId: 'b1-s2' };
    expect(matches(unit({ floor: 12 }), { notLast: true })).toBe(false);
    expect(matches(unit({ floor: 11 }), { notLast: true })).toBe(true);
    expect(matches(unit({ ...inShortSection, floor: 9 }), { notLast: true })).toBe(false);
    expect(matches(unit({ ...inShortSection, floor: 8 }), { notLast: true })).toBe(true);
  });

  it('drops a unit whose section is unknown when "not last" is on', () => {
    expect(matches(unit({ sectionId: 'b9-s1', floor: 2 }), { notLast: true })).toBe(false);
  });

  it('keeps only the chosen finishings', () => {
    const finishing: Filters['finishing'] = ['shell', 'turnkey'];
    expect(matches(unit({ finishing: 'turnkey' }), { finishing })).toBe(true);
    expect(matches(unit({ finishing: 'white_box' }), { finishing })).toBe(false);
  });

  it("matches the completion quarter against the unit's building", () => {
    const inSecond = unit({ buildingId: 'b2', sectionId: 'b2-s1' });
    expect(matches(unit(), { completion: ['2027-Q2'] })).toBe(true);
    expect(matches(inSecond, { completion: ['2027-Q2'] })).toBe(false);
    expect(matches(inSecond, { completion: ['2027-Q2', '2028-Q2'] })).toBe(true);
    expect(matches(unit({ buildingId: 'b9' }), { completion: ['2027-Q2'] })).toBe(false);
  });

  it('keeps only the chosen public statuses', () => {
    const statuses: Filters['statuses'] = ['available', 'reserved'];
    expect(matches(unit({ status: 'reserved' }), { statuses })).toBe(true);
    expect(matches(unit({ status: 'unavailable' }), { statuses })).toBe(false);
    expect(matches(unit({ status: 'sold', price: null }), { statuses })).toBe(false);
  });

  it('keeps only units with an offer when "offers only" is on', () => {
    expect(matches(unit({ offer: 'Кладовая в подарок' }), { offersOnly: true })).toBe(true);
    expect(matches(unit({ offer: null }), { offersOnly: true })).toBe(false);
    expect(matches(unit({ offer: '' }), { offersOnly: true })).toBe(false);
  });

  it('requires every set field to hold at once', () => {
    const flat = unit({ rooms: '3', floor: 7, finishing: 'turnkey' });
    expect(matches(flat, { rooms: ['3'], floorMin: 5, finishing: ['turnkey'] })).toBe(true);
    expect(matches(flat, { rooms: ['3'], floorMin: 8, finishing: ['turnkey'] })).toBe(false);
  });
});

const priceArb = fc.option(fc.integer({ min: 5_000_000, max: 60_000_000 }), { nil: null });

const unitArb: fc.Arbitrary<PublicUnit> = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9-]{1,10}$/),
    place: fc.constantFrom(
      { buildingId: 'b1', sectionId: 'b1-s1' },
      { buildingId: 'b1', sectionId: 'b1-s2' },
      { buildingId: 'b2', sectionId: 'b2-s1' },
    ),
    floor: fc.integer({ min: 1, max: 17 }),
    rooms: fc.constantFrom(...ROOM_KINDS),
    euro: fc.boolean(),
    areaTenths: fc.integer({ min: 200, max: 1300 }),
    finishing: fc.constantFrom(...FINISHINGS),
    price: priceArb,
    offer: fc.option(fc.constantFrom('Кладовая в подарок', 'Скидка 3 %'), { nil: null }),
    status: fc.constantFrom(...PUBLIC_STATUSES),
  })
  .map(({ place, areaTenths, price, ...fields }) =>
    unit({
      ...fields,
      ...place,
      areaTotal: areaTenths / 10,
      price,
      pricePerM2: price === null ? null : Math.round(price / (areaTenths / 10)),
    }),
  );

const unitsArb = fc.uniqueArray(unitArb, { selector: (u) => u.id, maxLength: 40 });

const boundArb = (min: number, max: number) =>
  fc.option(fc.integer({ min, max }), { nil: null, freq: 2 });

const filtersArb: fc.Arbitrary<Filters> = fc.record({
  buildings: fc.subarray(['b1', 'b2']),
  sections: fc.subarray(['b1-s1', 'b1-s2', 'b2-s1']),
  rooms: fc.subarray([...ROOM_KINDS]),
  euroOnly: fc.boolean(),
  priceMin: boundArb(5_000_000, 60_000_000),
  priceMax: boundArb(5_000_000, 60_000_000),
  areaMin: boundArb(20, 130),
  areaMax: boundArb(20, 130),
  floorMin: boundArb(1, 17),
  floorMax: boundArb(1, 17),
  notFirst: fc.boolean(),
  notLast: fc.boolean(),
  finishing: fc.subarray([...FINISHINGS]),
  completion: fc.subarray(['2027-Q2', '2028-Q2']),
  statuses: fc.subarray([...PUBLIC_STATUSES]),
  offersOnly: fc.boolean(),
});

describe('matchesFilters, as properties', () => {
  it('keeps every unit under empty filters', () => {
    fc.assert(
      fc.property(unitsArb, (units) => {
        const kept = units.filter((u) => matchesFilters(u, EMPTY_FILTERS, inventory));
        expect(kept).toEqual(units);
      }),
    );
  });

  it('matches a combination exactly when each of its fields matches on its own', () => {
    fc.assert(
      fc.property(unitArb, filtersArb, (candidate, filters) => {
        const fieldByField = (Object.keys(filters) as (keyof Filters)[]).every((key) =>
          matchesFilters(candidate, { ...EMPTY_FILTERS, [key]: filters[key] }, inventory),
        );
        expect(matchesFilters(candidate, filters, inventory)).toBe(fieldByField);
      }),
    );
  });
});

describe('sortUnits', () => {
  const cheap = unit({ id: 'a', price: 10_000_000, pricePerM2: 400_000, areaTotal: 25, floor: 3 });
  const dear = unit({ id: 'b', price: 30_000_000, pricePerM2: 330_000, areaTotal: 90, floor: 9 });
  const sold = unit({ id: 'c', price: null, pricePerM2: null, areaTotal: 60, floor: 1 });
  const middle = unit({ id: 'd', price: 20_000_000, pricePerM2: 350_000, areaTotal: 57, floor: 9 });
  const units = [sold, dear, middle, cheap];
  const ids = (sort: Sort) => sortUnits(units, sort).map((u) => u.id);

  it('sorts by price with unpriced units last in both directions', () => {
    expect(ids({ key: 'price', dir: 'asc' })).toEqual(['a', 'd', 'b', 'c']);
    expect(ids({ key: 'price', dir: 'desc' })).toEqual(['b', 'd', 'a', 'c']);
  });

  it('sorts by price per square metre with unpriced units last', () => {
    expect(ids({ key: 'pricePerM2', dir: 'asc' })).toEqual(['b', 'd', 'a', 'c']);
    expect(ids({ key: 'pricePerM2', dir: 'desc' })).toEqual(['a', 'd', 'b', 'c']);
  });

  it('sorts by total area', () => {
    expect(ids({ key: 'area', dir: 'asc' })).toEqual(['a', 'd', 'c', 'b']);
    expect(ids({ key: 'area', dir: 'desc' })).toEqual(['b', 'c', 'd', 'a']);
  });

  it('sorts by floor and breaks ties by id in either direction', () => {
    expect(ids({ key: 'floor', dir: 'asc' })).toEqual(['c', 'a', 'b', 'd']);
    expect(ids({ key: 'floor', dir: 'desc' })).toEqual(['b', 'd', 'a', 'c']);
  });

  it('orders unpriced units among themselves by id', () => {
    const unpriced = ['z', 'm', 'k'].map((id) => unit({ id, price: null, pricePerM2: null }));
    const sorted = sortUnits(unpriced, { key: 'price', dir: 'desc' }).map((u) => u.id);
    expect(sorted).toEqual(['k', 'm', 'z']);
  });

  it('leaves the array it was given untouched', () => {
    const before = units.map((u) => u.id);
    sortUnits(units, { key: 'area', dir: 'desc' });
    expect(units.map((u) => u.id)).toEqual(before);
  });

  it('returns a permutation in which every neighbouring pair is in order', () => {
    const sortArb = fc.record({
      key: fc.constantFrom(...SORT_KEYS),
      dir: fc.constantFrom('asc' as const, 'desc' as const),
    });
    const valueOf = (u: PublicUnit, key: Sort['key']): number | null =>
      key === 'area' ? u.areaTotal : u[key];

    fc.assert(
      fc.property(unitsArb, sortArb, (input, sort) => {
        const sorted = sortUnits(input, sort);
        expect([...sorted].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
          [...input].sort((a, b) => a.id.localeCompare(b.id)),
        );

        for (let i = 1; i < sorted.length; i += 1) {
          const previous = sorted[i - 1] as PublicUnit;
          const current = sorted[i] as PublicUnit;
          const left = valueOf(previous, sort.key);
          const right = valueOf(current, sort.key);
          if (left === right) expect(previous.id < current.id).toBe(true);
          else if (left === null) expect.fail('a unit without a value came before one with it');
          else if (right !== null) {
            expect(sort.dir === 'asc' ? left < right : left > right).toBe(true);
          }
        }
      }),
    );
  });
});

describe('buildingSummary', () => {
  const units = [
    unit({ id: '1', price: 15_000_000 }),
    unit({ id: '2', price: 12_500_000 }),
    unit({ id: '3', price: 9_000_000, status: 'reserved' }),
    unit({ id: '4', price: null, pricePerM2: null, status: 'sold' }),
    unit({ id: '5', price: 8_000_000, buildingId: 'b2', sectionId: 'b2-s1' }),
  ];

  it("counts the building's available units and the cheapest of them", () => {
    expect(buildingSummary(units, 'b1')).toEqual({ available: 2, fromPrice: 12_500_000 });
    expect(buildingSummary(units, 'b2')).toEqual({ available: 1, fromPrice: 8_000_000 });
  });

  it('has no starting price for a building with nothing available', () => {
    expect(buildingSummary(units.slice(2, 4), 'b1')).toEqual({ available: 0, fromPrice: null });
    expect(buildingSummary(units, 'b9')).toEqual({ available: 0, fromPrice: null });
  });
});

describe('mortgagePayment', () => {
  it('gives the annuity payment rounded to the rouble', () => {
    // 10 million at 12 % for 20 years: 100 000 / (1 − 1.01^−240) ≈ 110 108.6.
    expect(mortgagePayment(10_000_000, 12, 20)).toBe(110_109);
  });

  it('spreads the principal evenly when the rate is zero', () => {
    expect(mortgagePayment(12_000_000, 0, 10)).toBe(100_000);
  });

  it('gives 0 for inputs that describe no loan', () => {
    expect(mortgagePayment(0, 12, 20)).toBe(0);
    expect(mortgagePayment(-5, 12, 20)).toBe(0);
    expect(mortgagePayment(10_000_000, 12, 0)).toBe(0);
    expect(mortgagePayment(10_000_000, -1, 20)).toBe(0);
    expect(mortgagePayment(Number.NaN, 12, 20)).toBe(0);
    expect(mortgagePayment(10_000_000, Number.NaN, 20)).toBe(0);
  });

  it('pays back at least the principal and grows with the rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 100_000_000 }),
        fc.integer({ min: 0, max: 300 }).map((tenths) => tenths / 10),
        fc.integer({ min: 1, max: 30 }),
        (principal, rate, years) => {
          const payment = mortgagePayment(principal, rate, years);
          // Rounding to the rouble may lose up to half a rouble a month.
          expect(payment * years * 12).toBeGreaterThanOrEqual(principal - years * 6);
          expect(mortgagePayment(principal, rate + 1, years)).toBeGreaterThanOrEqual(payment);
        },
      ),
    );
  });
});
