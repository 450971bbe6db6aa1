/**
 * The inventory as the agent's console holds it: the buyer-safe projection that the shared
 * views draw (the very data a buyer's phone gets), and the internal fields apart, by unit id,
 * for the agent-only panel. Keeping them apart is what keeps internals off the buyer's screen.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

import { toPublicInventory } from '../../core/inventory.js';
import type { PublicInventory, UnitInternal } from '../../core/inventory.js';
import type { ConsoleApi } from './api.js';

export type AgentInventoryState =
  | { status: 'loading' }
  | { status: 'failed'; code: string }
  | {
      status: 'ready';
      inventory: PublicInventory;
      internal: ReadonlyMap<string, UnitInternal>;
    };

export function useAgentInventory(api: ConsoleApi): [AgentInventoryState, () => void] {
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
  return [state, retry];
}
