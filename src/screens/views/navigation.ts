/**
 * The view-state changes behind the console's navigation clicks. Each one sets every id the
 * target view reads, so the buyer's phone lands on exactly the same place, not on a fallback.
 */
import type { Building, PublicUnit, Section } from '../../core/inventory.js';
import type { SortKey, ViewPatch, ViewState } from '../../core/view-state.js';

export function openUnitPatch(unit: PublicUnit): ViewPatch {
  return {
    view: 'unit',
    unitId: unit.id,
    buildingId: unit.buildingId,
    sectionId: unit.sectionId,
    floor: unit.floor,
    galleryIndex: 0,
  };
}

export function openGridPatch(building: Building, section: Section): ViewPatch {
  return { view: 'grid', buildingId: building.id, sectionId: section.id, floor: null };
}

export function openFloorPatch(unit: PublicUnit): ViewPatch {
  return {
    view: 'floor',
    buildingId: unit.buildingId,
    sectionId: unit.sectionId,
    floor: unit.floor,
    unitId: unit.id,
  };
}

export function showOnGridPatch(unit: PublicUnit): ViewPatch {
  return { view: 'grid', buildingId: unit.buildingId, sectionId: unit.sectionId, unitId: unit.id };
}

/** Adds the unit to the shortlist, or takes it out if it is there. Order of adding is kept. */
export function toggleShortlistPatch(state: ViewState, unitId: string): ViewPatch {
  return { shortlist: toggled(state.shortlist, unitId) };
}

export function toggleHighlightPatch(state: ViewState, unitId: string): ViewPatch {
  return { highlighted: toggled(state.highlighted, unitId) };
}

/** A click on a sort header: the same key flips the direction, another key starts ascending. */
export function sortPatch(state: ViewState, key: SortKey): ViewPatch {
  if (state.sort.key === key) {
    return { sort: { key, dir: state.sort.dir === 'asc' ? 'desc' : 'asc' } };
  }
  return { sort: { key, dir: 'asc' } };
}

export function toggled<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((item) => item !== value) : [...list, value];
}
