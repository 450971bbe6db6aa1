/**
 * Finding things in the public inventory by id, and resolving what a view state points at when
 * some of its ids are missing or stale. Both screens resolve the same way, so a state with a gap
 * in it still shows the same thing to the agent and to the buyer.
 */
import type { Building, PublicInventory, PublicUnit, Section } from '../../core/inventory.js';
import { resolveSectionId } from '../../core/view-inventory.js';
import type { ViewState } from '../../core/view-state.js';

export interface InventoryIndex {
  unitById: ReadonlyMap<string, PublicUnit>;
  buildingById: ReadonlyMap<string, Building>;
  sectionById: ReadonlyMap<string, Section>;
  unitsBySection: ReadonlyMap<string, readonly PublicUnit[]>;
}

// The inventory is immutable for the life of a screen, so its index is built once per object.
const indexes = new WeakMap<PublicInventory, InventoryIndex>();

export function indexInventory(inventory: PublicInventory): InventoryIndex {
  const cached = indexes.get(inventory);
  if (cached) return cached;

  const unitById = new Map<string, PublicUnit>();
  const buildingById = new Map<string, Building>();
  const sectionById = new Map<string, Section>();
  const unitsBySection = new Map<string, PublicUnit[]>();

  for (const building of inventory.complex.buildings) {
    buildingById.set(building.id, building);
    for (const section of building.sections) {
      sectionById.set(section.id, section);
      unitsBySection.set(section.id, []);
    }
  }
  for (const unit of inventory.units) {
    unitById.set(unit.id, unit);
    const list = unitsBySection.get(unit.sectionId);
    if (list) list.push(unit);
    else unitsBySection.set(unit.sectionId, [unit]);
  }

  const index: InventoryIndex = { unitById, buildingById, sectionById, unitsBySection };
  indexes.set(inventory, index);
  return index;
}

export interface Place {
  building: Building;
  section: Section;
}

function placeOfSection(index: InventoryIndex, sectionId: string | null): Place | null {
  const section = sectionId === null ? undefined : index.sectionById.get(sectionId);
  const building = section && index.buildingById.get(section.buildingId);
  return section && building ? { building, section } : null;
}

/**
 * The section a grid or floor plan shows: the state's section; else the first section of the
 * state's building; else the open unit's section; else the first section of the first building
 * that has one. Null only when the complex has no sections at all. The rule itself is in
 * `core/view-inventory.ts`, which the server also follows to cut the buyer's first inventory.
 */
export function resolvePlace(state: ViewState, inventory: PublicInventory): Place | null {
  const index = indexInventory(inventory);
  const sectionId = resolveSectionId(
    state,
    inventory.complex,
    (unitId) => index.unitById.get(unitId)?.sectionId,
  );
  return placeOfSection(index, sectionId);
}

export function unitsOfSection(
  inventory: PublicInventory,
  sectionId: string,
): readonly PublicUnit[] {
  return indexInventory(inventory).unitsBySection.get(sectionId) ?? [];
}

export function findUnit(inventory: PublicInventory, unitId: string | null): PublicUnit | null {
  return unitId === null ? null : (indexInventory(inventory).unitById.get(unitId) ?? null);
}

export function findBuilding(inventory: PublicInventory, id: string): Building | null {
  return indexInventory(inventory).buildingById.get(id) ?? null;
}

export function findSection(inventory: PublicInventory, id: string): Section | null {
  return indexInventory(inventory).sectionById.get(id) ?? null;
}
