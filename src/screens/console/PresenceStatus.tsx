import type { ViewerPresence } from '../../core/protocol.js';
import type { ConnectionStatus } from '../../sdk/index.js';
import { formatNumber } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { tc } from './messages.js';

interface PresenceStatusProps {
  lang: Lang;
  /** This tab's own connection: when it is down, the buyer's devices are not known. */
  status: ConnectionStatus;
  viewers: readonly ViewerPresence[];
}

function headline(lang: Lang, status: ConnectionStatus, viewers: readonly ViewerPresence[]) {
  if (status === 'connecting') return tc(lang, 'live.connecting');
  if (status !== 'open') return t(lang, 'live.agentReconnecting');
  if (viewers.length === 0) return t(lang, 'live.waiting');

  const devices = viewers.map((viewer) => t(lang, `device.${viewer.device}`));
  return t(lang, 'live.watching', { device: devices.join(', ') });
}

/**
 * Whether the buyer is really watching: each device, whether its tab is on screen, and how late
 * it is. Only the headline is a live region; the lag changes too often to be read aloud.
 */
export function PresenceStatus({ lang, status, viewers }: PresenceStatusProps) {
  const known = status === 'open';

  return (
    <div class="rp-console-presence" data-status={known ? 'open' : status}>
      <p class="rp-console-presence-headline" role="status">
        {headline(lang, status, viewers)}
      </p>
      {known && viewers.length > 0 && (
        <ul class="rp-console-presence-devices">
          {viewers.map((viewer) => (
            <li key={viewer.connectionId} data-visible={String(viewer.visible)}>
              {t(lang, `device.${viewer.device}`)}
              {` · ${t(lang, 'live.via', { transport: t(lang, `transport.${viewer.transport}`) })}`}
              {!viewer.visible && ` · ${t(lang, 'live.tabHidden')}`}
              {viewer.lagMs !== null &&
                ` · ${t(lang, 'live.lag', { ms: formatNumber(lang, Math.round(viewer.lagMs)) })}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
