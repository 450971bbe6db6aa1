import { useId, useState } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ConsoleApi } from './api.js';
import type { PresentationDetail } from './api-types.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';
import { Modal } from './Modal.js';

interface HandoffDialogProps {
  lang: Lang;
  api: ConsoleApi;
  presentationId: string;
  /** The presentation as the API answered it, now the colleague's. */
  onHandedOff: (detail: PresentationDetail) => void;
  onClose: () => void;
}

function problemText(lang: Lang, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'not_found') return tc(lang, 'handoff.notFound');
  if (code === 'invalid_request') return tc(lang, 'handoff.self');
  return failureText(lang, error);
}

/**
 * Hands the presentation to a colleague by their e-mail. The buyer keeps watching on the same
 * link and sees the colleague's name; this tab's connection is closed by the server.
 */
export function HandoffDialog(props: HandoffDialogProps) {
  const { lang, api, presentationId, onHandedOff, onClose } = props;
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { email: useId(), hint: useId() };

  const submit = async (event: Event) => {
    event.preventDefault();
    const address = email.trim();
    if (!address) {
      setProblem(tc(lang, 'handoff.required'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      onHandedOff(await api.handoff(presentationId, address));
    } catch (error) {
      setProblem(problemText(lang, error));
      setBusy(false);
    }
  };

  return (
    <Modal lang={lang} title={tc(lang, 'handoff.title')} onClose={onClose}>
      <form class="rp-console-form" onSubmit={submit} noValidate>
        <label for={ids.email}>{tc(lang, 'handoff.email')}</label>
        <input
          id={ids.email}
          type="email"
          autocomplete="off"
          placeholder="name@company.ru"
          aria-describedby={ids.hint}
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
        <p id={ids.hint} class="rp-muted">
          {tc(lang, 'handoff.hint')}
        </p>
        {problem && (
          <p class="rp-console-error" role="alert">
            {problem}
          </p>
        )}
        <div class="rp-console-form-actions">
          <button type="submit" class="rp-shell-button rp-shell-primary" disabled={busy}>
            {busy ? tc(lang, 'handoff.submitting') : tc(lang, 'handoff.submit')}
          </button>
          <button type="button" class="rp-shell-button" onClick={onClose}>
            {t(lang, 'app.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
