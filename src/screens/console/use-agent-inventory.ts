/**
 * The inventory as the agent's console holds it: the buyer-safe projection that the shared
 * views draw (the very data a buyer's phone gets), and the internal fields apart, by unit id,
 * for the agent-only panel. Keeping them apart is what keeps internals off the buyer's screen.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

import { toPublicInventory, toPublicUnit } from '../../core/inventory.js';
import type { PublicInventory, PublicUnit, Unit, UnitInternal } from '../../core/inventory.js';
import { applyUnitUpdates } from '../app/unit-updates.js';
import type { ConsoleApi } from './api.js';

export type AgentInventoryState =
  | { status: 'loading' }
  | { status: 'failed'; code: string }
  | {
      status: 'ready';
      inventory: PublicInventory;
      internal: ReadonlyMap<string, UnitInternal>;
    };

export interface InventoryUpdates {
  /** Units changed anywhere (the `units` message): their buyer-safe fields. */
  applyPublic: (units: readonly PublicUnit[]) => void;
  /** A unit this agent changed, as the API answered it: its internal fields too. */
  applyUnit: (unit: Unit) => void;
}

export function useAgentInventory(
  api: ConsoleApi,
): [AgentInventoryState, () => void, InventoryUpdates] {
  const [state, setState] = useState<AgentInventoryState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });

    api.inventory().then(
      ({ complex, units }) => {
        if (cancelled) return;
        setState({
          status: 'ready',
          inventory: toPublicInventory(complex, units),
          internal: new Map(units.map((unit) => [unit.id, unit.internal])),
        });
      },
      (error: unknown) => {
        if (cancelled) return;
        const code = (error as { code?: unknown }).code;
        setState({ status: 'failed', code: typeof code === 'string' ? code : 'unknown' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  const applyPublic = useCallback((units: readonly PublicUnit[]) => {
    setState((current) => {
      if (current.status !== 'ready') return current;
      const inventory = applyUnitUpdates(current.inventory, units);
      return inventory === current.inventory ? current : { ...current, inventory };
    });
  }, []);

  const applyUnit = useCallback((unit: Unit) => {
    setState((current) => {
      if (current.status !== 'ready') return current;
      const internal = new Map(current.internal).set(unit.id, unit.internal);
      const inventory = applyUnitUpdates(current.inventory, [toPublicUnit(unit)]);
      return { ...current, inventory, internal };
    });
  }, []);

  const updates = useMemo(() => ({ applyPublic, applyUnit }), [applyPublic, applyUnit]);
  return [state, retry, updates];
}
