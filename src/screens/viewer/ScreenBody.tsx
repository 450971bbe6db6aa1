import type { PublicInventory } from '../../core/inventory.js';
import type { PresentationView, ReactionKind } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';
import { tx } from '../app/i18n-extra.js';
import { errorMessage, t } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { AgentContact } from './AgentContact.js';
import type { BootstrapErrorCode } from './bootstrap.js';
import { EndedScreen } from './EndedScreen.js';
import { LiveFrame } from './LiveFrame.js';
import { NoticeScreen } from './NoticeScreen.js';
import type { Recap } from './recap.js';
import { RecapSection } from './RecapSection.js';
import { RetryCountdown } from './RetryCountdown.js';
import { screenTitle } from './screen-title.js';
import type { AgentScrollSource } from './use-viewer-session.js';
import type { ViewerScreen } from './viewer-screen.js';

interface ScreenBodyProps {
  lang: Lang;
  screen: ViewerScreen;
  state: ViewState | null;
  inventory: PublicInventory | null;
  presentation: PresentationView | null;
  recap: Recap;
  /** Why the page could not open the link, when the server said so. */
  problem: BootstrapErrorCode | null;
  onReload: () => void;
  react: (kind: ReactionKind, unitId: string | null) => boolean;
  reactionRefusals: number;
  onAgentScroll?: AgentScrollSource;
}

/** What the page's main area shows for each screen. */
export function ScreenBody(props: ScreenBodyProps) {
  const { lang, screen, state, inventory, presentation } = props;
  const title = screenTitle(screen, lang);
  // Where the agent is known, every dead end says who to call.
  const contact = presentation && <AgentContact lang={lang} agent={presentation.agent} />;

  switch (screen.kind) {
    case 'live':
    case 'agentAway':
    case 'offline':
      if (state && inventory) {
        return (
          <LiveFrame
            lang={lang}
            screen={screen}
            agentState={state}
            inventory={inventory}
            presentation={presentation}
            react={props.react}
            reactionRefusals={props.reactionRefusals}
            onAgentScroll={props.onAgentScroll}
          />
        );
      }
      return <NoticeScreen title={title} body={t(lang, 'viewer.offlineBody')} />;

    case 'connecting':
      return (
        <NoticeScreen title={title} body={t(lang, 'viewer.connectingHint')} tone="calm">
          <span class="rp-viewer-spinner" aria-hidden="true" />
        </NoticeScreen>
      );

    case 'ended':
      return (
        <EndedScreen
          lang={lang}
          presentation={presentation}
          agentLeft={screen.agentLeft}
          recap={props.recap}
        />
      );

    case 'expired': {
      const agent = presentation?.agent.name;
      const body = agent
        ? t(lang, 'viewer.expiredBody', { agent })
        : tx(lang, 'viewer.expiredBodyNoAgent');
      const { recap } = props;
      // The units shown stay worth a look after the link expired, while the server keeps them.
      const showRecap = recap.source === 'server' || recap.entries.length > 0;
      return (
        <NoticeScreen title={title} body={body}>
          {showRecap && <RecapSection lang={lang} recap={recap} />}
          {contact}
        </NoticeScreen>
      );
    }

    case 'revoked':
      return (
        <NoticeScreen title={title} body={t(lang, 'viewer.revokedBody')}>
          {contact}
        </NoticeScreen>
      );

    case 'invalid':
      return <NoticeScreen title={title} body={t(lang, 'viewer.invalidBody')} />;

    case 'tooManyDevices':
      return (
        <NoticeScreen title={title} body={t(lang, 'viewer.tooManyBody')}>
          {contact}
        </NoticeScreen>
      );

    case 'unavailable':
      return (
        <NoticeScreen title={title} body={errorMessage(lang, props.problem ?? 'unavailable')}>
          <RetryCountdown lang={lang} onRetry={props.onReload} />
        </NoticeScreen>
      );

    case 'failed':
      return (
        <NoticeScreen title={title} body={errorMessage(lang, screen.reason)}>
          <button type="button" class="rp-shell-button rp-shell-primary" onClick={props.onReload}>
            {tx(lang, 'viewer.reload')}
          </button>
        </NoticeScreen>
      );
  }
}
