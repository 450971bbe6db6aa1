import { errorMessage, t } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { tc } from './messages.js';
import { PresentationSummary } from './PresentationSummary.js';
import type { FinishedPresentation } from './use-presentation-session.js';

function reasonText(lang: Lang, reason: string): string {
  switch (reason) {
    case 'agent_ended':
      return tc(lang, 'presentations.endReason.agent_ended');
    case 'ended':
      return tc(lang, 'live.closedReason.ended');
    case 'expired':
      return tc(lang, 'live.closedReason.expired');
    case 'revoked':
      return tc(lang, 'live.closedReason.revoked');
    case 'grace_timeout':
      return tc(lang, 'presentations.endReason.grace_timeout');
    default:
      return tc(lang, 'live.closedReason.other', { message: errorMessage(lang, reason) });
  }
}

interface FinishedNoticeProps {
  lang: Lang;
  finished: FinishedPresentation;
  onDismiss: () => void;
}

/** Says that the presentation this tab ran is over, why, and what it came to. */
export function FinishedNotice({ lang, finished, onDismiss }: FinishedNoticeProps) {
  return (
    <section class="rp-console-finished" aria-labelledby="rp-finished-title">
      <h2 id="rp-finished-title">{tc(lang, 'live.closedTitle')}</h2>
      <p role="status">{reasonText(lang, finished.reason)}</p>
      <PresentationSummary lang={lang} detail={finished.detail} />
      <button type="button" class="rp-shell-button" onClick={onDismiss}>
        {t(lang, 'app.close')}
      </button>
    </section>
  );
}
