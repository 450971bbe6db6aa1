import type { PresentationView } from '../../core/protocol.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { AgentContact } from './AgentContact.js';
import { NoticeScreen } from './NoticeScreen.js';
import type { Recap } from './recap.js';
import { RecapSection } from './RecapSection.js';

interface EndedScreenProps {
  lang: Lang;
  presentation: PresentationView | null;
  /** The agent did not come back within the grace period (as opposed to ending it). */
  agentLeft: boolean;
  recap: Recap;
}

/** The end of a presentation: why it ended, the flats shown in it, and who to call. */
export function EndedScreen({ lang, presentation, agentLeft, recap }: EndedScreenProps) {
  const body = agentLeft ? t(lang, 'viewer.endedAgentLeft') : t(lang, 'viewer.endedByAgent');

  return (
    <NoticeScreen title={t(lang, 'viewer.endedTitle')} body={body} tone="calm">
      <RecapSection lang={lang} recap={recap} />
      {presentation && <AgentContact lang={lang} agent={presentation.agent} />}
    </NoticeScreen>
  );
}
