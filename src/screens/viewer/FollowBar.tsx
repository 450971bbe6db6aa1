import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface FollowNoteProps {
  lang: Lang;
  lookingAround: boolean;
  /** Whether "you see what the agent sees" is news: not while the agent is gone. */
  agentPresent: boolean;
}

/** Above the view: that the phone shows what the agent shows. */
export function FollowNote({ lang, lookingAround, agentPresent }: FollowNoteProps) {
  if (lookingAround || !agentPresent) return null;
  return <p class="rp-viewer-follow rp-muted">{t(lang, 'viewer.following')}</p>;
}

interface BackToAgentBarProps {
  lang: Lang;
  onBackToAgent: () => void;
}

/**
 * While the buyer looks around: the one tap that follows the agent again. It sits in the dock at
 * the bottom of the screen, within thumb's reach, since the gallery the buyer is paging is
 * usually scrolled well below the top of the page.
 */
export function BackToAgentBar({ lang, onBackToAgent }: BackToAgentBarProps) {
  return (
    <div class="rp-viewer-follow-away">
      <p>{t(lang, 'viewer.lookingAround')}</p>
      <button type="button" class="rp-shell-button rp-shell-primary" onClick={onBackToAgent}>
        {t(lang, 'viewer.backToAgent')}
      </button>
    </div>
  );
}
