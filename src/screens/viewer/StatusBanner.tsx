import { tx } from '../app/i18n-extra.js';
import { formatTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ViewerScreen } from './viewer-screen.js';

interface StatusBannerProps {
  lang: Lang;
  screen: ViewerScreen;
}

/**
 * Says why the picture stopped moving while the last frame stays on screen: the agent dropped
 * out, or this phone lost its connection. The two read differently so the buyer knows whether
 * to wait for the agent or to check their own network.
 */
export function StatusBanner({ lang, screen }: StatusBannerProps) {
  if (screen.kind === 'agentAway') {
    const hint = screen.graceEndsAt
      ? t(lang, 'viewer.agentAwayHint', { time: formatTime(lang, screen.graceEndsAt) })
      : tx(lang, 'viewer.agentAwayHintNoTime');
    return (
      <div class="rp-viewer-banner rp-tone-away">
        <p class="rp-viewer-banner-title">{t(lang, 'viewer.agentAway')}</p>
        <p>{hint}</p>
      </div>
    );
  }

  if (screen.kind === 'offline') {
    return (
      <div class="rp-viewer-banner rp-tone-off">
        <p class="rp-viewer-banner-title">{t(lang, 'viewer.offlineTitle')}</p>
        <p>{t(lang, 'viewer.offlineBody')}</p>
      </div>
    );
  }

  return null;
}
