import type { PresentationView } from '../../core/protocol.js';
import { tx } from '../app/i18n-extra.js';
import { formatArea, formatPrice } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { roomsName } from '../views/labels.js';
import { AgentContact } from './AgentContact.js';
import { NoticeScreen } from './NoticeScreen.js';
import type { RecapUnit } from './recap.js';

interface EndedScreenProps {
  lang: Lang;
  presentation: PresentationView | null;
  /** The agent did not come back within the grace period (as opposed to ending it). */
  agentLeft: boolean;
  recap: readonly RecapUnit[];
}

/** The end of a presentation: why it ended, the flats shown in it, and who to call. */
export function EndedScreen({ lang, presentation, agentLeft, recap }: EndedScreenProps) {
  const body = agentLeft ? t(lang, 'viewer.endedAgentLeft') : t(lang, 'viewer.endedByAgent');

  return (
    <NoticeScreen title={t(lang, 'viewer.endedTitle')} body={body} tone="calm">
      <section class="rp-viewer-recap" aria-labelledby="rp-recap-title">
        <h3 id="rp-recap-title">{t(lang, 'viewer.recapTitle')}</h3>
        {recap.length === 0 ? (
          <p class="rp-muted">{t(lang, 'viewer.recapEmpty')}</p>
        ) : (
          <ul class="rp-viewer-recap-list">
            {recap.map((unit) => (
              <li key={unit.id}>
                <span>
                  {tx(lang, 'viewer.recapUnit', {
                    number: unit.number,
                    rooms: roomsName(unit, lang),
                    area: formatArea(lang, unit.areaTotal),
                    floor: unit.floor,
                  })}
                </span>
                {unit.price !== null && (
                  <span class="rp-viewer-recap-price">{formatPrice(lang, unit.price)}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {presentation && <AgentContact lang={lang} agent={presentation.agent} />}
    </NoticeScreen>
  );
}
