import { useCallback, useEffect, useRef } from 'preact/hooks';

import type { PublicInventory } from '../../core/inventory.js';
import type { PresentationView } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';
import { formatDateTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { galleryIndexOf } from '../views/art.js';
import { ViewRouter } from '../views/view-router.js';
import { FollowBar } from './FollowBar.js';
import { StatusBanner } from './StatusBanner.js';
import { useGalleryOverride } from './use-gallery-override.js';
import { useGallerySwipe } from './use-gallery-swipe.js';
import type { ViewerScreen } from './viewer-screen.js';

interface LiveFrameProps {
  lang: Lang;
  screen: ViewerScreen;
  agentState: ViewState;
  inventory: PublicInventory;
  presentation: PresentationView | null;
}

/**
 * The agent's current view, drawn read-only for the phone. It stays on screen through an agent's
 * dropout or a network gap (with a banner saying which), so the buyer never faces a blank page.
 */
export function LiveFrame({ lang, screen, agentState, inventory, presentation }: LiveFrameProps) {
  const follow = useGalleryOverride(agentState);
  const frame = useRef<HTMLDivElement>(null);
  const shown = follow.shown ?? agentState;
  const { pageGallery } = follow;

  const swipe = useCallback(
    (direction: 1 | -1) => pageGallery(galleryIndexOf(shown.galleryIndex + direction)),
    [pageGallery, shown.galleryIndex],
  );
  useGallerySwipe(frame, shown.view === 'unit' ? swipe : null);

  // A new place starts at its top, as it does on the agent's screen; staying scrolled halfway
  // down the previous list would show the buyer the middle of the new view.
  const place = `${agentState.view}:${agentState.unitId ?? ''}`;
  const shownPlace = useRef(place);
  useEffect(() => {
    if (shownPlace.current === place) return;
    shownPlace.current = place;
    window.scrollTo(0, 0);
  }, [place]);

  return (
    <>
      <StatusBanner lang={lang} screen={screen} />
      <FollowBar
        lang={lang}
        lookingAround={follow.lookingAround}
        agentPresent={screen.kind === 'live'}
        onBackToAgent={follow.backToAgent}
      />
      <div class="rp-viewer-frame" ref={frame}>
        <ViewRouter
          state={shown}
          inventory={inventory}
          lang={lang}
          mode="viewer"
          onGalleryIndex={pageGallery}
        />
      </div>
      <footer class="rp-viewer-footer">
        <p>{t(lang, 'viewer.readOnly')}</p>
        {presentation && (
          <p>
            {t(lang, 'viewer.validUntil', { time: formatDateTime(lang, presentation.expiresAt) })}
          </p>
        )}
      </footer>
    </>
  );
}
