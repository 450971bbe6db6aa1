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

/** Who leads a presentation handed over, when this tab knows (it handed it over itself). */
function handedOffText(lang: Lang, finished: FinishedPresentation, agentName: string): string {
  const name = finished.detail.agent.name;
  return name && name !== agentName
    ? tc(lang, 'live.closedReason.handed_off', { name })
    : tc(lang, 'live.closedReason.handedOffElsewhere');
}

interface FinishedNoticeProps {
  lang: Lang;
  finished: FinishedPresentation;
  /** The signed-in agent, to tell a colleague's name from one's own. */
  agentName: string;
  onDismiss: () => void;
}

/**
 * Says that the presentation this tab ran is over for this tab, and why: it ended (with what
 * it came to), or it was handed to a colleague and goes on without this tab.
 */
export function FinishedNotice({ lang, finished, agentName, onDismiss }: FinishedNoticeProps) {
  const handedOff = finished.reason === 'handed_off';

  return (
    <section class="rp-console-finished" aria-labelledby="rp-finished-title">
      <h2 id="rp-finished-title">
        {tc(lang, handedOff ? 'live.handedOffTitle' : 'live.closedTitle')}
      </h2>
      <p role="status">
        {handedOff ? handedOffText(lang, finished, agentName) : reasonText(lang, finished.reason)}
      </p>
      {!handedOff && <PresentationSummary lang={lang} detail={finished.detail} />}
      <button type="button" class="rp-shell-button" onClick={onDismiss}>
        {t(lang, 'app.close')}
      </button>
    </section>
  );
}
