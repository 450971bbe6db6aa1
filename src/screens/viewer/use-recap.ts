import { useEffect, useState } from 'preact/hooks';

import type { PublicInventory } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import { loadRecap, rememberShown, saveRecap } from './recap.js';
import type { RecapUnit } from './recap.js';

/** The units shown so far in this presentation, growing with each state the agent sends. */
export function useRecap(
  presentationId: string | null,
  state: ViewState | null,
  inventory: PublicInventory | null,
): readonly RecapUnit[] {
  const [recap, setRecap] = useState<{ id: string | null; units: readonly RecapUnit[] }>(() => ({
    id: presentationId,
    units: presentationId ? loadRecap(presentationId) : [],
  }));

  useEffect(() => {
    if (presentationId === null) return;

    const known = recap.id === presentationId ? recap.units : loadRecap(presentationId);
    const next = state && inventory ? rememberShown(known, state, inventory) : known;
    if (recap.id === presentationId && next === recap.units) return;

    saveRecap(presentationId, next);
    setRecap({ id: presentationId, units: next });
  }, [presentationId, state, inventory, recap]);

  return recap.units;
}
