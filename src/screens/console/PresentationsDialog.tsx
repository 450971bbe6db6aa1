import { useCallback, useEffect, useState } from 'preact/hooks';

import type { PresentationStatus } from '../../core/protocol.js';
import { formatDateTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ConsoleApi } from './api.js';
import type { PresentationDetail } from './api-types.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';
import { Modal } from './Modal.js';
import { PresentationSummary } from './PresentationSummary.js';

function statusText(lang: Lang, status: PresentationStatus): string {
  switch (status) {
    case 'created':
      return tc(lang, 'presentations.waiting');
    case 'live':
      return t(lang, 'presentations.live');
    case 'agent_away':
      return t(lang, 'presentations.agentAway');
    case 'ended':
      return t(lang, 'presentations.ended');
  }
}

type Listing =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; presentations: PresentationDetail[] };

interface PresentationsDialogProps {
  lang: Lang;
  api: ConsoleApi;
  /** The presentation this tab presents now, if any. */
  currentId: string | null;
  onReopen: (detail: PresentationDetail) => void;
  onClose: () => void;
}

/** The agent's presentations, newest first: resume a live one, or read how an ended one went. */
export function PresentationsDialog(props: PresentationsDialogProps) {
  const { lang, api, currentId, onReopen, onClose } = props;
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [summary, setSummary] = useState<PresentationDetail | null>(null);

  const load = useCallback(() => {
    setListing({ status: 'loading' });
    api.presentations().then(
      (presentations) => setListing({ status: 'ready', presentations }),
      (error: unknown) => setListing({ status: 'failed', error }),
    );
  }, [api]);

  useEffect(load, [load]);

  if (summary) {
    return (
      <Modal
        lang={lang}
        title={tc(lang, 'presentations.summaryTitle', { name: summary.buyer.name })}
        onClose={onClose}
      >
        <PresentationSummary lang={lang} detail={summary} />
        <button type="button" class="rp-shell-button" onClick={() => setSummary(null)}>
          {t(lang, 'app.back')}
        </button>
      </Modal>
    );
  }

  return (
    <Modal lang={lang} title={t(lang, 'presentations.title')} onClose={onClose}>
      <button type="button" class="rp-shell-button" onClick={load}>
        {tc(lang, 'presentations.refresh')}
      </button>
      {listing.status === 'loading' && <p role="status">{t(lang, 'app.loading')}</p>}
      {listing.status === 'failed' && (
        <p class="rp-console-error" role="alert">
          {failureText(lang, listing.error)}
        </p>
      )}
      {listing.status === 'ready' && listing.presentations.length === 0 && (
        <p>{t(lang, 'presentations.empty')}</p>
      )}
      {listing.status === 'ready' && listing.presentations.length > 0 && (
        <table class="rp-console-table">
          <thead>
            <tr>
              <th scope="col">{tc(lang, 'presentations.buyer')}</th>
              <th scope="col">{tc(lang, 'presentations.status')}</th>
              <th scope="col">{tc(lang, 'presentations.createdAt')}</th>
              <th scope="col">{tc(lang, 'presentations.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {listing.presentations.map((detail) => (
              <tr key={detail.id}>
                <th scope="row">{detail.buyer.name}</th>
                <td>{statusText(lang, detail.status)}</td>
                <td>{formatDateTime(lang, detail.createdAt)}</td>
                <td>
                  {detail.id === currentId ? (
                    <span>{tc(lang, 'presentations.current')}</span>
                  ) : detail.status === 'ended' ? (
                    <button
                      type="button"
                      class="rp-shell-button"
                      onClick={() => setSummary(detail)}
                    >
                      {tc(lang, 'presentations.summary')}
                    </button>
                  ) : (
                    <button type="button" class="rp-shell-button" onClick={() => onReopen(detail)}>
                      {t(lang, 'presentations.reopen')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
