/**
 * The buyer's own gallery page. The viewer follows the agent, but the buyer may page the
 * gallery on their phone; that page is local and is never sent. It lasts while the agent stays
 * on the same view and unit: as soon as the agent moves elsewhere the phone follows again.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

import type { ViewName, ViewState } from '../../core/view-state.js';

interface GalleryOverride {
  index: number;
  /** Where the agent was when the buyer started looking around. */
  view: ViewName;
  unitId: string | null;
}

export interface GalleryFollow {
  /** The state to draw: the agent's, with the buyer's gallery page if they chose one. */
  shown: ViewState | null;
  lookingAround: boolean;
  pageGallery: (index: number) => void;
  backToAgent: () => void;
}

function stillApplies(override: GalleryOverride | null, state: ViewState | null) {
  return (
    override !== null &&
    state !== null &&
    override.view === state.view &&
    override.unitId === state.unitId
  );
}

export function useGalleryOverride(agentState: ViewState | null): GalleryFollow {
  const [override, setOverride] = useState<GalleryOverride | null>(null);
  const applies = stillApplies(override, agentState);

  // Forget an override the agent has moved away from, so it cannot come back to life if the
  // agent later returns to the same unit.
  useEffect(() => {
    if (override && !applies) setOverride(null);
  }, [override, applies]);

  const pageGallery = useCallback(
    (index: number) => {
      if (!agentState) return;
      // Paging onto the agent's own image is the same as following again.
      if (index === agentState.galleryIndex) setOverride(null);
      else setOverride({ index, view: agentState.view, unitId: agentState.unitId });
    },
    [agentState],
  );

  const backToAgent = useCallback(() => setOverride(null), []);

  const shown =
    agentState && applies && override
      ? { ...agentState, galleryIndex: override.index }
      : agentState;

  return { shown, lookingAround: applies, pageGallery, backToAgent };
}
