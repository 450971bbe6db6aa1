import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface ModalProps {
  lang: Lang;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}

/**
 * A modal dialog on the native <dialog>: the browser traps focus, closes it on Escape and gives
 * focus back to the control that opened it, which no hand-made overlay does as reliably.
 */
export function Modal({ lang, title, onClose, children }: ModalProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  return (
    <dialog
      ref={dialog}
      class="rp-console-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape asks the owner to close, so the owner's state and the dialog agree.
        event.preventDefault();
        onClose();
      }}
    >
      <div class="rp-console-dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="rp-shell-button" onClick={onClose}>
          {t(lang, 'app.close')}
        </button>
      </div>
      <div class="rp-console-dialog-body">{children}</div>
    </dialog>
  );
}
