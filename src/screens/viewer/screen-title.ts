import { tx } from '../app/i18n-extra.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ViewerScreen } from './viewer-screen.js';

/** The screen's state in a few words: the tab's title and what the live region announces. */
export function screenTitle(screen: ViewerScreen, lang: Lang): string {
  switch (screen.kind) {
    case 'connecting':
      return t(lang, 'viewer.connecting');
    case 'live':
      return t(lang, 'viewer.live');
    case 'agentAway':
      return t(lang, 'viewer.agentAway');
    case 'offline':
      return t(lang, 'viewer.offlineTitle');
    case 'ended':
      return t(lang, 'viewer.endedTitle');
    case 'expired':
      return t(lang, 'viewer.expiredTitle');
    case 'revoked':
      return t(lang, 'viewer.revokedTitle');
    case 'invalid':
      return t(lang, 'viewer.invalidTitle');
    case 'tooManyDevices':
      return t(lang, 'viewer.tooManyTitle');
    case 'unavailable':
      return tx(lang, 'viewer.unavailableTitle');
    case 'failed':
      return tx(lang, 'viewer.failedTitle');
  }
}
