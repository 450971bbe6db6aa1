import { useCallback, useEffect, useState } from 'preact/hooks';

import type { PublicInventory } from '../../core/inventory.js';
import type { PresentationStatus } from '../../core/protocol.js';
import { formatDateTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { recordUrl } from './api.js';
import type { ConsoleApi } from './api.js';
import type { PresentationDetail } from './api-types.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';
import { Modal } from './Modal.js';
import { PresentationSummary } from './PresentationSummary.js';
import { RecordView } from './RecordView.js';

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
  /** Names the units in a record; null while the inventory loads. */
  inventory: PublicInventory | null;
  onReopen: (detail: PresentationDetail) => void;
  onClose: () => void;
}

/** What the dialog shows besides the list: one presentation's summary or its record. */
type Opened = { kind: 'summary' | 'record'; detail: PresentationDetail } | null;

function Exports({ lang, detail }: { lang: Lang; detail: PresentationDetail }) {
  const about = { name: detail.buyer.name, time: formatDateTime(lang, detail.createdAt) };
  const links = [
    { format: 'csv' as const, label: tc(lang, 'presentations.exportCsv') },
    { format: 'json' as const, label: tc(lang, 'presentations.exportJson') },
  ];

  return (
    <>
      {links.map(({ format, label }) => (
        <a
          key={format}
          class="rp-shell-button"
          href={recordUrl(detail.id, format)}
          download={`presentation-${detail.id}.${format}`}
          aria-label={tc(lang, 'presentations.exportOf', { format: label, ...about })}
        >
          {label}
        </a>
      ))}
    </>
  );
}

/** The agent's presentations, newest first: resume a live one, or read how an ended one went. */
export function PresentationsDialog(props: PresentationsDialogProps) {
  const { lang, api, currentId, onReopen, onClose } = props;
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [opened, setOpened] = useState<Opened>(null);

  const load = useCallback(() => {
    setListing({ status: 'loading' });
    api.presentations().then(
      (presentations) => setListing({ status: 'ready', presentations }),
      (error: unknown) => setListing({ status: 'failed', error }),
    );
  }, [api]);

  useEffect(load, [load]);

  if (opened) {
    const { detail } = opened;
    const title =
      opened.kind === 'summary'
        ? tc(lang, 'presentations.summaryTitle', { name: detail.buyer.name })
        : tc(lang, 'record.title', { name: detail.buyer.name });
    return (
      <Modal lang={lang} title={title} onClose={onClose}>
        {opened.kind === 'summary' ? (
          <PresentationSummary lang={lang} detail={detail} />
        ) : (
          <RecordView
            lang={lang}
            api={api}
            presentationId={detail.id}
            inventory={props.inventory}
          />
        )}
        <div class="rp-console-row-actions">
          <button type="button" class="rp-shell-button" onClick={() => setOpened(null)}>
            {t(lang, 'app.back')}
          </button>
          {opened.kind === 'record' && <Exports lang={lang} detail={detail} />}
        </div>
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
                  <div class="rp-console-row-actions">
                    {detail.id === currentId ? (
                      <span>{tc(lang, 'presentations.current')}</span>
                    ) : detail.status === 'ended' ? (
                      <button
                        type="button"
                        class="rp-shell-button"
                        onClick={() => setOpened({ kind: 'summary', detail })}
                      >
                        {tc(lang, 'presentations.summary')}
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="rp-shell-button"
                        onClick={() => onReopen(detail)}
                      >
                        {t(lang, 'presentations.reopen')}
                      </button>
                    )}
                    <button
                      type="button"
                      class="rp-shell-button"
                      onClick={() => setOpened({ kind: 'record', detail })}
                    >
                      {tc(lang, 'presentations.record')}
                    </button>
                    <Exports lang={lang} detail={detail} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
