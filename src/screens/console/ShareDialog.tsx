import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { IssuedLink } from './api-types.js';
import { tc } from './messages.js';
import { Modal } from './Modal.js';
import { ShareLink } from './ShareLink.js';

interface ShareDialogProps {
  lang: Lang;
  buyerName: string;
  /** Null when this tab never saw the link (another tab created it, or storage was cleared). */
  link: IssuedLink | null;
  busy: boolean;
  onReissue: () => void;
  onClose: () => void;
}

export function ShareDialog(props: ShareDialogProps) {
  const { lang, buyerName, link, busy, onReissue, onClose } = props;

  return (
    <Modal lang={lang} title={t(lang, 'present.dialogTitle')} onClose={onClose}>
      <p>{tc(lang, 'present.forBuyer', { name: buyerName })}</p>
      {link ? (
        <ShareLink lang={lang} link={link} />
      ) : (
        <div class="rp-console-lost-link">
          <p>{tc(lang, 'present.linkLost')}</p>
          <button
            type="button"
            class="rp-shell-button rp-shell-primary"
            disabled={busy}
            onClick={onReissue}
          >
            {t(lang, 'live.reissue')}
          </button>
        </div>
      )}
    </Modal>
  );
}
