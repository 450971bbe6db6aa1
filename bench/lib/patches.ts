/**
 * Changes an agent would make during a call, over the demo inventory: open a building's grid,
 * step to a floor, open a unit, flip through its gallery, narrow the filters, change the sort,
 * highlight a unit, add one to the shortlist, go back to the list. Each presentation gets its
 * own seeded walk, so every system in a run receives exactly the same sequence of patches.
 */
import type { Unit } from '../../src/core/inventory.js';
import { EMPTY_FILTERS, SORT_KEYS } from '../../src/core/view-state.js';
import type { Filters, ViewPatch } from '../../src/core/view-state.js';
import { generateDemoInventory } from '../../src/server/inventory/demo.js';

const inventory = generateDemoInventory();
const buildings = inventory.complex.buildings;
const unitsBySection = new Map<string, Unit[]>();
for (const unit of inventory.units) {
  const list = unitsBySection.get(unit.sectionId) ?? [];
  list.push(unit);
  unitsBySection.set(unit.sectionId, list);
}

/** A small, fast, seedable generator (mulberry32): the same seed gives the same walk. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative frequency of each kind of step, roughly what a call with a buyer looks like. */
const STEPS = [
  ['gallery', 28],
  ['unit', 18],
  ['floor', 12],
  ['filters', 12],
  ['highlight', 10],
  ['grid', 8],
  ['sort', 5],
  ['shortlist', 4],
  ['list', 3],
] as const;
type Step = (typeof STEPS)[number][0];
const STEP_TOTAL = STEPS.reduce((sum, [, w]) => sum + w, 0);

export class AgentWalk {
  readonly #random: () => number;
  #buildingId = buildings[0]?.id ?? 'b1';
  #sectionId = buildings[0]?.sections[0]?.id ?? 'b1-s1';
  #floor = 2;
  #unitId: string | null = null;
  #gallery = 0;
  #shortlist: string[] = [];

  constructor(seed: number) {
    this.#random = rng(seed * 7919 + 17);
  }

  next(): ViewPatch {
    const step = this.#pickStep();
    switch (step) {
      case 'grid':
        return this.#grid();
      case 'floor':
        return this.#stepFloor();
      case 'unit':
        return this.#openUnit();
      case 'gallery':
        if (!this.#unitId) return this.#openUnit();
        this.#gallery = (this.#gallery + 1) % 8;
        return { galleryIndex: this.#gallery };
      case 'filters':
        return { filters: this.#filters() };
      case 'sort': {
        const key = SORT_KEYS[Math.floor(this.#random() * SORT_KEYS.length)] ?? 'price';
        return { sort: { key, dir: this.#random() < 0.7 ? 'asc' : 'desc' } };
      }
      case 'highlight':
        return { highlighted: [this.#pickUnit().id] };
      case 'shortlist': {
        const id = this.#unitId ?? this.#pickUnit().id;
        if (!this.#shortlist.includes(id)) this.#shortlist = [...this.#shortlist, id].slice(-6);
        return { shortlist: this.#shortlist };
      }
      case 'list':
        this.#unitId = null;
        return { view: 'list', unitId: null };
    }
  }

  #pickStep(): Step {
    let roll = this.#random() * STEP_TOTAL;
    for (const [step, weight] of STEPS) {
      roll -= weight;
      if (roll < 0) return step;
    }
    return 'gallery';
  }

  #grid(): ViewPatch {
    const building = buildings[Math.floor(this.#random() * buildings.length)] ?? buildings[0];
    if (!building) return { view: 'overview' };
    const section = building.sections[Math.floor(this.#random() * building.sections.length)];
    this.#buildingId = building.id;
    this.#sectionId = section?.id ?? this.#sectionId;
    this.#unitId = null;
    return {
      view: 'grid',
      buildingId: this.#buildingId,
      sectionId: this.#sectionId,
      floor: null,
      unitId: null,
    };
  }

  #stepFloor(): ViewPatch {
    const units = unitsBySection.get(this.#sectionId) ?? [];
    const top = units.reduce((max, u) => Math.max(max, u.floor), 2);
    this.#floor = Math.min(top, Math.max(2, this.#floor + (this.#random() < 0.5 ? -1 : 1)));
    return { view: 'floor', floor: this.#floor, unitId: null };
  }

  #openUnit(): ViewPatch {
    const unit = this.#pickUnit();
    this.#unitId = unit.id;
    this.#floor = unit.floor;
    this.#gallery = 0;
    return { view: 'unit', floor: unit.floor, unitId: unit.id, galleryIndex: 0 };
  }

  #pickUnit(): Unit {
    const units = unitsBySection.get(this.#sectionId) ?? inventory.units;
    const near = units.filter((u) => Math.abs(u.floor - this.#floor) <= 1);
    const pool = near.length > 0 ? near : units;
    return pool[Math.floor(this.#random() * pool.length)] ?? (inventory.units[0] as Unit);
  }

  /** A whole filters object: a patch replaces the top-level field it names. */
  #filters(): Filters {
    const r = this.#random;
    const rooms = (['studio', '1', '2', '3', '4+'] as const).filter(() => r() < 0.4);
    const priceMin = r() < 0.5 ? Math.round(6 + r() * 6) * 1_000_000 : null;
    return {
      ...EMPTY_FILTERS,
      buildings: r() < 0.6 ? [this.#buildingId] : [],
      sections: r() < 0.3 ? [this.#sectionId] : [],
      rooms: rooms.length > 0 ? rooms : ['2'],
      euroOnly: r() < 0.15,
      priceMin,
      priceMax: priceMin === null ? null : priceMin + Math.round(4 + r() * 10) * 1_000_000,
      areaMin: r() < 0.4 ? Math.round(35 + r() * 30) : null,
      areaMax: null,
      floorMin: r() < 0.3 ? 3 : null,
      floorMax: null,
      notFirst: r() < 0.5,
      notLast: r() < 0.3,
      finishing: r() < 0.4 ? ['white_box', 'turnkey'] : [],
      completion: r() < 0.3 ? ['2027-Q4', '2028-Q2'] : [],
      statuses: r() < 0.7 ? ['available'] : [],
      offersOnly: r() < 0.1,
    };
  }
}
