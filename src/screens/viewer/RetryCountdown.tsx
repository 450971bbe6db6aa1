import { useEffect, useState } from 'preact/hooks';

import { tx } from '../app/i18n-extra.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

/** Long enough for a briefly overloaded server to recover, short enough for a buyer to wait. */
const RETRY_AFTER_SECONDS = 15;

interface RetryCountdownProps {
  lang: Lang;
  /** What a retry does: the page holds no connection to retry, so it loads itself again. */
  onRetry: () => void;
}

/** Counts down to an automatic retry, with a button to retry at once. */
export function RetryCountdown({ lang, onRetry }: RetryCountdownProps) {
  const [seconds, setSeconds] = useState(RETRY_AFTER_SECONDS);

  useEffect(() => {
    if (seconds <= 0) {
      onRetry();
      return undefined;
    }
    const timer = window.setTimeout(() => setSeconds(seconds - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [seconds, onRetry]);

  return (
    <div class="rp-viewer-actions">
      <p class="rp-muted">{t(lang, 'viewer.retryIn', { seconds: Math.max(seconds, 0) })}</p>
      <button type="button" class="rp-shell-button rp-shell-primary" onClick={onRetry}>
        {tx(lang, 'viewer.reload')}
      </button>
    </div>
  );
}
