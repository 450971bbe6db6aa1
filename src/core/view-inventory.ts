/**
 * The part of the public inventory one view state draws, for the buyer's first frame.
 *
 * The buyer's page used to embed the public inventory of the whole complex (a few hundred
 * kilobytes) although a grid draws one section and a unit card one unit. The server now embeds
 * the cut this file makes: the complex (its buildings and sections), the units of the section
 * the state shows, the units the state names (open, highlighted, shortlisted) and each
 * building's summary for the overview. The page fetches the whole inventory once it is live.
 *
 * Everything here works on `PublicUnit`s, the allow-listed projection of `inventory.ts`: a cut
 * holds fewer units, never more fields.
 */
import { buildingSummary } from './filtering.js';
import type { BuildingSummary, Complex, PublicInventory, PublicUnit } from './inventory.js';
import type { ViewState } from './view-state.js';
import { VIEWS } from './view-state.js';

/** What a cut of the inventory holds, besides the complex and the building summaries. */
export interface InventoryScope {
  /** Sections whose units are all in the cut. */
  sections: string[];
  /** Unit ids the state named: in the cut when the inventory has them, else it has not. */
  units: string[];
}

/** What one view state needs to be drawn exactly as with the whole inventory. */
export type ViewNeeds = { all: true } | { all: false; sections: string[]; units: string[] };

interface ComplexIndex {
  sectionBuilding: Map<string, string>;
  buildingIds: Set<string>;
  firstSection: Map<string, string>;
}

const complexIndexes = new WeakMap<Complex, ComplexIndex>();

function indexComplex(complex: Complex): ComplexIndex {
  const cached = complexIndexes.get(complex);
  if (cached) return cached;
  const index: ComplexIndex = {
    sectionBuilding: new Map(),
    buildingIds: new Set(),
    firstSection: new Map(),
  };
  for (const building of complex.buildings) {
    index.buildingIds.add(building.id);
    const first = building.sections[0];
    if (first) index.firstSection.set(building.id, first.id);
    for (const section of building.sections)
      index.sectionBuilding.set(section.id, section.buildingId);
  }
  complexIndexes.set(complex, index);
  return index;
}

/**
 * The section a grid or floor plan shows: the state's section; else the first section of the
 * state's building; else the open unit's section; else the first section of the first building
 * that has one. Null only when the complex has no sections at all. A section counts only when
 * its building is known. `lookup.ts` resolves its place with this, so both agree.
 */
export function resolveSectionId(
  state: Pick<ViewState, 'sectionId' | 'buildingId' | 'unitId'>,
  complex: Complex,
  sectionOfUnit: (unitId: string) => string | undefined,
): string | null {
  const index = indexComplex(complex);
  const known = (sectionId: string | null | undefined): sectionId is string => {
    if (sectionId === null || sectionId === undefined) return false;
    const buildingId = index.sectionBuilding.get(sectionId);
    return buildingId !== undefined && index.buildingIds.has(buildingId);
  };

  if (known(state.sectionId)) return state.sectionId;
  if (state.buildingId !== null) {
    const first = index.firstSection.get(state.buildingId);
    if (known(first)) return first;
  }
  if (state.unitId !== null) {
    const ofUnit = sectionOfUnit(state.unitId);
    if (known(ofUnit)) return ofUnit;
  }
  for (const building of complex.buildings) {
    const first = index.firstSection.get(building.id);
    if (known(first)) return first;
  }
  return null;
}

/** The unit ids a state names, in order, each once. */
export function unitIdsNamed(state: Pick<ViewState, 'unitId' | 'highlighted' | 'shortlist'>) {
  const ids = state.unitId === null ? [] : [state.unitId];
  return [...new Set([...ids, ...state.highlighted, ...state.shortlist])];
}

/**
 * What `state` draws from. The list ranks every unit that passes the filters and counts them,
 * so it needs them all; every other view, its fallbacks included (a unit gone falls back to its
 * grid, a grid with no place to the overview), needs one section, the units named and the
 * building summaries at most.
 */
export function viewNeeds(
  state: ViewState,
  complex: Complex,
  sectionOfUnit: (unitId: string) => string | undefined,
): ViewNeeds {
  const view = (VIEWS as readonly string[]).includes(state.view) ? state.view : 'overview';
  if (view === 'list') return { all: true };
  const units = unitIdsNamed(state);
  if (view === 'overview' || view === 'shortlist') return { all: false, sections: [], units };
  const section = resolveSectionId(state, complex, sectionOfUnit);
  return { all: false, sections: section === null ? [] : [section], units };
}

function summariesOf(inventory: PublicInventory): Record<string, BuildingSummary> {
  const summaries: Record<string, BuildingSummary> = {};
  for (const building of inventory.complex.buildings) {
    summaries[building.id] = buildingSummary(inventory.units, building.id);
  }
  return summaries;
}

export interface InventoryCut {
  inventory: PublicInventory;
  scope: InventoryScope;
}

/**
 * The inventory cut to what `state` draws, or null when the state needs it all. The cut's
 * units are the whole inventory's own objects, in the whole inventory's order.
 */
export function cutInventory(whole: PublicInventory, state: ViewState): InventoryCut | null {
  const byId = new Map(whole.units.map((unit) => [unit.id, unit]));
  const needs = viewNeeds(state, whole.complex, (id) => byId.get(id)?.sectionId);
  if (needs.all) return null;

  const sections = new Set(needs.sections);
  const named = new Set(needs.units);
  const units: PublicUnit[] = whole.units.filter(
    (unit) => sections.has(unit.sectionId) || named.has(unit.id),
  );
  return {
    inventory: { complex: whole.complex, units, buildingSummaries: summariesOf(whole) },
    scope: { sections: needs.sections, units: needs.units },
  };
}

/**
 * Whether a cut made for some earlier state also draws `state` exactly as the whole inventory
 * would: every section it needs is in the cut, and every unit it names is in the cut or was
 * asked for when the cut was made (and so is not in the inventory at all).
 */
export function cutCovers(scope: InventoryScope, cut: PublicInventory, state: ViewState): boolean {
  const byId = new Map(cut.units.map((unit) => [unit.id, unit]));
  const needs = viewNeeds(state, cut.complex, (id) => byId.get(id)?.sectionId);
  if (needs.all) return false;
  const sections = new Set(scope.sections);
  const asked = new Set(scope.units);
  return (
    needs.sections.every((id) => sections.has(id)) &&
    needs.units.every((id) => byId.has(id) || asked.has(id))
  );
}
