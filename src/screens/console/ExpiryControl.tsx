import { useNow } from '../app/use-now.js';
import { formatDuration, formatTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { EXTEND_MINUTES, lifetimeLabel } from './lifetime.js';
import { tc } from './messages.js';

/** The agent is warned this long before the link stops working. */
const WARN_BEFORE_MS = 5 * 60 * 1000;

interface ExpiryControlProps {
  lang: Lang;
  expiresAt: string;
  /** The latest the link may be extended to. */
  maxExpiresAt: string;
  busy: boolean;
  onExtend: () => void;
}

export function ExpiryControl({
  lang,
  expiresAt,
  maxExpiresAt,
  busy,
  onExtend,
}: ExpiryControlProps) {
  const now = useNow();
  const left = Date.parse(expiresAt) - now;
  const canExtend = Date.parse(maxExpiresAt) > Date.parse(expiresAt);

  return (
    <div class="rp-console-expiry">
      <p>
        <span class="rp-console-timer">
          {left > 0
            ? t(lang, 'live.timeLeft', { time: formatDuration(left) })
            : tc(lang, 'live.expired')}
        </span>{' '}
        <span class="rp-muted">
          {tc(lang, 'live.expiresAt', { time: formatTime(lang, expiresAt) })}
        </span>
      </p>
      <button
        type="button"
        class="rp-shell-button"
        disabled={busy || !canExtend}
        onClick={onExtend}
      >
        {busy
          ? tc(lang, 'live.extending')
          : t(lang, 'live.extend', { duration: lifetimeLabel(lang, EXTEND_MINUTES) })}
      </button>
      {left > 0 && left <= WARN_BEFORE_MS && (
        <p class="rp-console-warning" role="alert">
          {tc(lang, 'live.lessThanFiveMinutes')}
        </p>
      )}
    </div>
  );
}
