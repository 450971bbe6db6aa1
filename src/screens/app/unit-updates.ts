/**
 * Units whose status, price or offer changed while a screen is open (the `units` message). Both
 * screens hold the inventory as one immutable object that the views index once, so an update
 * makes a new object; an update that changes nothing keeps the old one, and nothing re-renders.
 */
import type { PublicInventory, PublicUnit } from '../../core/inventory.js';

const CHANGING_FIELDS = ['status', 'price', 'pricePerM2', 'offer'] as const;

function differs(a: PublicUnit, b: PublicUnit): boolean {
  return CHANGING_FIELDS.some((field) => a[field] !== b[field]);
}

/** The inventory with the given units replaced by id; units it does not hold are ignored. */
export function applyUnitUpdates(
  inventory: PublicInventory,
  updates: readonly PublicUnit[],
): PublicInventory {
  const byId = new Map(updates.map((unit) => [unit.id, unit]));
  let changed = false;

  const units = inventory.units.map((unit) => {
    const next = byId.get(unit.id);
    if (!next || !differs(unit, next)) return unit;
    changed = true;
    return next;
  });
  return changed ? { ...inventory, units } : inventory;
}
