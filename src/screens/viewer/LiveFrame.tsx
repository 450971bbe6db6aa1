import { useCallback, useEffect, useRef } from 'preact/hooks';

import type { PublicInventory, PublicStatus } from '../../core/inventory.js';
import type { PresentationView, ReactionKind } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';
import { tx } from '../app/i18n-extra.js';
import { formatDateTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { galleryIndexOf } from '../views/art.js';
import { findUnit } from '../views/lookup.js';
import { ViewRouter, resolveView } from '../views/view-router.js';
import { BackToAgentBar, FollowNote } from './FollowBar.js';
import { markOnce } from './marks.js';
import { ReactionBar } from './ReactionBar.js';
import { StatusBanner } from './StatusBanner.js';
import { useGalleryOverride } from './use-gallery-override.js';
import { useGallerySwipe } from './use-gallery-swipe.js';
import { useScrollFollow } from './use-scroll-follow.js';
import type { AgentScrollSource } from './use-viewer-session.js';
import { useStatusNews } from './use-status-news.js';
import type { ViewerScreen } from './viewer-screen.js';

interface LiveFrameProps {
  lang: Lang;
  screen: ViewerScreen;
  agentState: ViewState;
  inventory: PublicInventory;
  presentation: PresentationView | null;
  react: (kind: ReactionKind, unitId: string | null) => boolean;
  reactionRefusals: number;
  onAgentScroll?: AgentScrollSource | undefined;
}

function StatusNews({ lang, status }: { lang: Lang; status: PublicStatus }) {
  return (
    <p class={`rp-viewer-news rp-viewer-news-${status}`}>
      <strong>{tx(lang, `viewer.unitNow.${status}`)}</strong>
      {status !== 'available' && ` ${tx(lang, 'viewer.unitNowHint')}`}
    </p>
  );
}

/**
 * The agent's current view, drawn read-only for the phone. It stays on screen through an agent's
 * dropout or a network gap (with a banner saying which), so the buyer never faces a blank page.
 */
export function LiveFrame(props: LiveFrameProps) {
  const { lang, screen, agentState, inventory, presentation } = props;
  const follow = useGalleryOverride(agentState);
  const frame = useRef<HTMLDivElement>(null);
  const shown = follow.shown ?? agentState;
  const { pageGallery } = follow;

  // The unit whose card is on screen: what a heart is about, and whose status is news.
  const unitOnScreen =
    resolveView(shown, inventory) === 'unit' ? findUnit(inventory, shown.unitId) : null;
  const statusNews = useStatusNews(unitOnScreen);
  // While the agent is away a reaction still reaches the session record the agent reads later.
  const canReact = screen.kind === 'live' || screen.kind === 'agentAway';

  // Effects run after the browser has painted: by then the buyer sees the agent's view.
  useEffect(() => markOnce('rp-first-frame'), []);

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
  const scroll = useScrollFollow(frame, props.onAgentScroll, place);
  const lookingAround = follow.lookingAround || scroll.ownScroll;
  const { backToAgent: galleryBack } = follow;
  const { backToAgent: scrollBack } = scroll;
  const backToAgent = useCallback(() => {
    galleryBack();
    scrollBack();
  }, [galleryBack, scrollBack]);

  return (
    <>
      <StatusBanner lang={lang} screen={screen} />
      <FollowNote lang={lang} lookingAround={lookingAround} agentPresent={screen.kind === 'live'} />
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
      {(lookingAround || canReact || statusNews) && (
        // In the page's flow and sticky to its bottom: it takes its own room at the end of the
        // page, so it never hides the last lines of the view, and it is in sight however far
        // down the buyer has scrolled, which is where news about the unit must be.
        <div class="rp-viewer-dock">
          {lookingAround && <BackToAgentBar lang={lang} onBackToAgent={backToAgent} />}
          {/* In the dock before any news, so that the news is announced when it comes. */}
          <div class="rp-viewer-news-region" role="status">
            {statusNews && <StatusNews lang={lang} status={statusNews} />}
          </div>
          {canReact && (
            <ReactionBar
              lang={lang}
              unit={unitOnScreen}
              react={props.react}
              refusals={props.reactionRefusals}
            />
          )}
        </div>
      )}
    </>
  );
}
