import type { PublicInventory } from '../../core/inventory.js';
import { errorMessage } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { ConfirmButton } from './ConfirmButton.js';
import { failureText } from './errors.js';
import { ExpiryControl } from './ExpiryControl.js';
import { tc } from './messages.js';
import { PresenceStatus } from './PresenceStatus.js';
import { ReactionFeed } from './ReactionFeed.js';
import { TakeoverNotice } from './TakeoverNotice.js';
import type { PresentationActions } from './use-presentation-actions.js';
import type { LivePresentation } from './use-presentation-session.js';

interface LivePanelProps {
  lang: Lang;
  live: LivePresentation;
  actions: PresentationActions;
  /** Names the units the buyer reacts to; null while it loads. */
  inventory: PublicInventory | null;
  onShowLink: () => void;
  onTakeover: () => void;
  onHandoff: () => void;
}

/** The bar the agent watches while presenting: who watches, how long is left, and the controls. */
export function LivePanel(props: LivePanelProps) {
  const { lang, live, actions, onShowLink, onTakeover } = props;
  const { detail } = live;
  const standingBy = live.status === 'open' && !live.presenting;
  const busy = actions.busy !== null;

  return (
    <section class="rp-console-live" aria-labelledby="rp-live-title">
      <div class="rp-console-live-head">
        <h2 id="rp-live-title">{tc(lang, 'live.title')}</h2>
        <p>{tc(lang, 'present.forBuyer', { name: detail.buyer.name })}</p>
      </div>

      <PresenceStatus lang={lang} status={live.status} viewers={live.viewers} />
      <ReactionFeed lang={lang} reactions={live.reactions} inventory={props.inventory} />
      {standingBy && <TakeoverNotice lang={lang} onTakeover={onTakeover} />}

      <ExpiryControl
        lang={lang}
        expiresAt={detail.expiresAt}
        maxExpiresAt={detail.maxExpiresAt}
        busy={actions.busy === 'extend'}
        onExtend={() => void actions.run('extend')}
      />

      <div class="rp-console-live-actions">
        <button type="button" class="rp-shell-button" onClick={onShowLink}>
          {tc(lang, 'present.showLink')}
        </button>
        <button
          type="button"
          class="rp-shell-button"
          disabled={busy}
          onClick={() => {
            void actions.run('reissue').then((done) => done && onShowLink());
          }}
        >
          {t(lang, 'live.reissue')}
        </button>
        <button type="button" class="rp-shell-button" disabled={busy} onClick={props.onHandoff}>
          {tc(lang, 'handoff.button')}
        </button>
        <ConfirmButton
          lang={lang}
          label={t(lang, 'live.revoke')}
          question={t(lang, 'live.revokeConfirm')}
          disabled={busy}
          onConfirm={() => void actions.run('revoke')}
        />
        <ConfirmButton
          lang={lang}
          label={t(lang, 'live.end')}
          question={t(lang, 'live.endConfirm')}
          disabled={busy}
          onConfirm={() => void actions.run('end')}
        />
      </div>

      {actions.failure !== null && (
        <p class="rp-console-error" role="alert">
          {failureText(lang, actions.failure)}
        </p>
      )}
      {live.refusal !== null && live.refusal !== 'not_presenting' && (
        <p class="rp-console-error" role="alert">
          {errorMessage(lang, live.refusal)}
        </p>
      )}
    </section>
  );
}
