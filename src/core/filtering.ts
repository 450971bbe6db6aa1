/**
 * Filtering, sorting and the small sums the views show, over the public inventory. The agent's
 * console and the buyer's viewer both call these, so a unit dimmed or ranked on one screen is
 * dimmed or ranked the same way on the other. The viewer bundles this file for the phone: it
 * imports nothing outside src/core.
 */
import type { Complex, PublicUnit } from './inventory.js';
import type { Filters, Sort, SortKey } from './view-state.js';

/** An empty selection means the agent has not narrowed that field. */
function allows<T>(chosen: readonly T[], value: T): boolean {
  return chosen.length === 0 || chosen.includes(value);
}

function inRange(value: number, min: number | null, max: number | null): boolean {
  return (min === null || value >= min) && (max === null || value <= max);
}

export function matchesFilters(
  unit: PublicUnit,
  filters: Filters,
  inventory: { complex: Complex },
): boolean {
  if (!allows(filters.buildings, unit.buildingId)) return false;
  if (!allows(filters.sections, unit.sectionId)) return false;
  if (!allows(filters.rooms, unit.rooms)) return false;
  if (filters.euroOnly && !unit.euro) return false;
  if (!allows(filters.finishing, unit.finishing)) return false;
  if (!allows(filters.statuses, unit.status)) return false;
  if (filters.offersOnly && !unit.offer) return false;

  if (!inRange(unit.areaTotal, filters.areaMin, filters.areaMax)) return false;
  if (!inRange(unit.floor, filters.floorMin, filters.floorMax)) return false;
  if (filters.notFirst && unit.floor <= 1) return false;

  // A price range asks what the buyer can have for the money; a unit with no price cannot answer.
  if (filters.priceMin !== null || filters.priceMax !== null) {
    if (unit.price === null || !inRange(unit.price, filters.priceMin, filters.priceMax)) {
      return false;
    }
  }

  if (filters.completion.length > 0) {
    const building = inventory.complex.buildings.find((b) => b.id === unit.buildingId);
    if (!building || !filters.completion.includes(building.completion)) return false;
  }

  // The top floor is the section's, not the building's: sections of one building may differ.
  // A unit whose section is unknown cannot be shown to be below the top, so it does not match.
  if (filters.notLast) {
    const section = inventory.complex.buildings
      .flatMap((building) => building.sections)
      .find((s) => s.id === unit.sectionId);
    if (!section || unit.floor >= section.floors) return false;
  }

  return true;
}

const SORT_VALUE: Record<SortKey, (unit: PublicUnit) => number | null> = {
  price: (unit) => unit.price,
  pricePerM2: (unit) => unit.pricePerM2,
  area: (unit) => unit.areaTotal,
  floor: (unit) => unit.floor,
};

/**
 * Returns a sorted copy. Units without a value (sold, so unpriced) go last in both directions:
 * a buyer looking for the dearest flat wants flats they can buy. Equal values fall back to the
 * id, so both screens show ties in one order whatever order the units arrived in.
 */
export function sortUnits(units: readonly PublicUnit[], sort: Sort): PublicUnit[] {
  const valueOf = SORT_VALUE[sort.key];
  const direction = sort.dir === 'desc' ? -1 : 1;

  return [...units].sort((a, b) => {
    const left = valueOf(a);
    const right = valueOf(b);
    if (left !== right) {
      if (left === null) return 1;
      if (right === null) return -1;
      return left < right ? -direction : direction;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** What the complex overview says of a building: units free to buy, and the cheapest of them. */
export function buildingSummary(
  units: readonly PublicUnit[],
  buildingId: string,
): { available: number; fromPrice: number | null } {
  let available = 0;
  let fromPrice: number | null = null;

  for (const unit of units) {
    if (unit.buildingId !== buildingId || unit.status !== 'available') continue;
    available += 1;
    if (unit.price !== null && (fromPrice === null || unit.price < fromPrice)) {
      fromPrice = unit.price;
    }
  }
  return { available, fromPrice };
}

/**
 * The monthly payment of an annuity loan, rounded to the rouble. The term is counted in whole
 * months. Inputs that describe no loan — nothing borrowed, no term, a negative rate, a value that
 * is not a number — give 0, so a half-typed calculator shows nothing rather than nonsense.
 */
export function mortgagePayment(principal: number, annualRatePct: number, years: number): number {
  const months = Math.round(years * 12);
  if (!(principal > 0) || !(months > 0) || !(annualRatePct >= 0)) return 0;
  if (!Number.isFinite(principal) || !Number.isFinite(annualRatePct)) return 0;

  const monthlyRate = annualRatePct / 100 / 12;
  if (monthlyRate === 0) return Math.round(principal / months);
  return Math.round((principal * monthlyRate) / (1 - (1 + monthlyRate) ** -months));
}
