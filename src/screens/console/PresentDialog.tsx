import { useId, useState } from 'preact/hooks';

import type { ViewState } from '../../core/view-state.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ConsoleApi, CreatedPresentation } from './api.js';
import { BuyerPicker, EMPTY_BUYER_DRAFT, buyerChoice } from './BuyerPicker.js';
import { failureText } from './errors.js';
import { DEFAULT_LIFETIME, LIFETIMES, lifetimeLabel } from './lifetime.js';
import { tc } from './messages.js';
import { Modal } from './Modal.js';

interface PresentDialogProps {
  lang: Lang;
  api: ConsoleApi;
  /** What the agent shows now: the buyer's phone opens on exactly this. */
  viewState: ViewState;
  onCreated: (created: CreatedPresentation) => void;
  onClose: () => void;
}

/** Starts a remote presentation: for which buyer, and for how long the link lives. */
export function PresentDialog({ lang, api, viewState, onCreated, onClose }: PresentDialogProps) {
  const [draft, setDraft] = useState(EMPTY_BUYER_DRAFT);
  const [lifetime, setLifetime] = useState<number>(DEFAULT_LIFETIME);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const lifetimeId = useId();

  const submit = async (event: Event) => {
    event.preventDefault();
    const buyer = buyerChoice(draft);
    if (!buyer) {
      setProblem(tc(lang, 'present.buyerRequired'));
      return;
    }

    setBusy(true);
    setProblem(null);
    try {
      onCreated(await api.createPresentation(buyer, lifetime, viewState));
    } catch (error) {
      setProblem(failureText(lang, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal lang={lang} title={t(lang, 'present.dialogTitle')} onClose={onClose}>
      <form class="rp-console-form" onSubmit={submit}>
        <BuyerPicker lang={lang} api={api} draft={draft} onDraft={setDraft} />

        <label for={lifetimeId}>{t(lang, 'present.lifetime')}</label>
        <select
          id={lifetimeId}
          value={String(lifetime)}
          onChange={(event) => setLifetime(Number(event.currentTarget.value))}
        >
          {LIFETIMES.map((minutes) => (
            <option key={minutes} value={String(minutes)}>
              {lifetimeLabel(lang, minutes)}
            </option>
          ))}
        </select>

        {problem && (
          <p class="rp-console-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="rp-shell-button rp-shell-primary" disabled={busy}>
          {busy ? t(lang, 'present.creating') : t(lang, 'present.create')}
        </button>
      </form>
    </Modal>
  );
}
