/**
 * The units a buyer was shown, collected as the session goes, for the end-of-session recap.
 *
 * A unit counts as shown once the agent opens it, highlights it or puts it on the shortlist.
 * Each is kept with the few public fields the recap prints, in session storage per
 * presentation. After the end, for a while (`RECAP_HOURS`), the server sends its own list of
 * the units shown with the inventory to draw them from; the kept list is the fallback for a page
 * without that list: one whose presentation just ended under it, or one the server no longer
 * sends a recap to (the phone still remembers what it was shown).
 */
import type { PublicInventory, PublicUnit } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import { readStoredJson, writeStoredJson } from '../app/storage.js';
import { findUnit } from '../views/lookup.js';
import type { ServerRecap } from './bootstrap.js';

export type RecapUnit = Pick<
  PublicUnit,
  'id' | 'number' | 'rooms' | 'euro' | 'openPlan' | 'areaTotal' | 'floor' | 'price'
>;

const recapKey = (presentationId: string) => `rp.recap.${presentationId}`;

function isRecap(value: unknown): value is RecapUnit[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as RecapUnit).id === 'string' &&
        typeof (item as RecapUnit).number === 'string',
    )
  );
}

export function loadRecap(presentationId: string): RecapUnit[] {
  return readStoredJson('session', recapKey(presentationId), isRecap) ?? [];
}

/** The ids a state shows, the opened unit first. */
export function unitIdsShown(state: ViewState): string[] {
  const ids = state.unitId === null ? [] : [state.unitId];
  return [...ids, ...state.highlighted, ...state.shortlist];
}

function toRecapUnit(unit: PublicUnit): RecapUnit {
  const { id, number, rooms, euro, openPlan, areaTotal, floor, price } = unit;
  return { id, number, rooms, euro, openPlan, areaTotal, floor, price };
}

/**
 * Adds the units this state shows to the recap, in the order they were first shown. Returns the
 * same array when nothing is new, so a caller can skip a re-render and a storage write.
 */
export function rememberShown(
  recap: readonly RecapUnit[],
  state: ViewState,
  inventory: PublicInventory,
): readonly RecapUnit[] {
  const known = new Set(recap.map((unit) => unit.id));
  const added: RecapUnit[] = [];

  for (const id of unitIdsShown(state)) {
    if (known.has(id)) continue;
    const unit = findUnit(inventory, id);
    if (!unit) continue;
    known.add(id);
    added.push(toRecapUnit(unit));
  }
  return added.length === 0 ? recap : [...recap, ...added];
}

export function saveRecap(presentationId: string, recap: readonly RecapUnit[]): void {
  writeStoredJson('session', recapKey(presentationId), recap);
}

/** One unit of the recap: what the page kept, and the unit itself where the page has it. */
export interface RecapEntry {
  unit: RecapUnit;
  /** The unit as the inventory holds it now (its status, its plan); null when unknown. */
  current: PublicUnit | null;
}

export interface Recap {
  entries: RecapEntry[];
  /** Until when the link keeps opening the recap; known only from the server. */
  availableUntil: string | null;
  source: 'server' | 'session';
}

/**
 * The recap to show: the server's list of units shown, when the page came with one, looked up
 * in the page's inventory; else the list this page kept in session storage while it watched.
 */
export function recapOf(
  server: ServerRecap | undefined,
  kept: readonly RecapUnit[],
  inventory: PublicInventory | null,
): Recap {
  const lookUp = (id: string) => (inventory ? findUnit(inventory, id) : null);

  if (server) {
    const entries = server.unitIds.flatMap((id) => {
      const current = lookUp(id);
      return current ? [{ unit: toRecapUnit(current), current }] : [];
    });
    return { entries, availableUntil: server.availableUntil, source: 'server' };
  }
  const entries = kept.map((unit) => ({ unit, current: lookUp(unit.id) }));
  return { entries, availableUntil: null, source: 'session' };
}
