import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface FollowBarProps {
  lang: Lang;
  lookingAround: boolean;
  /** Whether "you see what the agent sees" is news: not while the agent is gone. */
  agentPresent: boolean;
  onBackToAgent: () => void;
}

/**
 * Whether the phone shows what the agent shows, and the one tap that makes it so again. While
 * the buyer looks around, the bar sits at the bottom of the screen, within thumb's reach, since
 * the gallery they are paging is usually scrolled well below the top of the page.
 */
export function FollowBar({ lang, lookingAround, agentPresent, onBackToAgent }: FollowBarProps) {
  if (!lookingAround) {
    if (!agentPresent) return null;
    return <p class="rp-viewer-follow rp-muted">{t(lang, 'viewer.following')}</p>;
  }

  return (
    <div class="rp-viewer-follow-away">
      <p>{t(lang, 'viewer.lookingAround')}</p>
      <button type="button" class="rp-shell-button rp-shell-primary" onClick={onBackToAgent}>
        {t(lang, 'viewer.backToAgent')}
      </button>
    </div>
  );
}
