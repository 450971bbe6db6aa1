import { useEffect, useRef, useState } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface ConfirmButtonProps {
  lang: Lang;
  label: string;
  /** The consequence, asked as a question before the action runs. */
  question: string;
  disabled?: boolean;
  onConfirm: () => void;
}

/** A button for an action the buyer will feel at once: it asks before it acts. */
export function ConfirmButton({ lang, label, question, disabled, onConfirm }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);

  // The button that was pressed is gone; focus lands on the safe answer, not on the page.
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button
        type="button"
        class="rp-shell-button rp-shell-danger"
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }

  return (
    <div class="rp-console-confirm" role="group" aria-label={label}>
      <p>{question}</p>
      <button
        type="button"
        class="rp-shell-button rp-shell-danger"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {t(lang, 'app.confirm')}
      </button>
      <button type="button" class="rp-shell-button" ref={cancel} onClick={() => setAsking(false)}>
        {t(lang, 'app.cancel')}
      </button>
    </div>
  );
}
