import { useId, useRef, useState } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { IssuedLink } from './api-types.js';
import { tc } from './messages.js';
import { QrCode } from './QrCode.js';

interface ShareLinkProps {
  lang: Lang;
  link: IssuedLink;
}

type CopyResult = 'idle' | 'copied' | 'select';

/** The buyer's link, ready to pass on: copy it, let the buyer scan it, or open it to check. */
export function ShareLink({ lang, link }: ShareLinkProps) {
  const [copy, setCopy] = useState<CopyResult>('idle');
  const field = useRef<HTMLInputElement>(null);
  const fieldId = useId();

  const selectLink = () => {
    field.current?.focus();
    field.current?.select();
  };

  const copyLink = async () => {
    try {
      // The clipboard API exists only in secure contexts and may be refused by the browser.
      await navigator.clipboard.writeText(link.url);
      setCopy('copied');
    } catch {
      selectLink();
      setCopy('select');
    }
  };

  return (
    <div class="rp-console-share">
      <div class="rp-console-share-link">
        <label for={fieldId}>{t(lang, 'present.link')}</label>
        <div class="rp-console-share-row">
          <input
            id={fieldId}
            ref={field}
            type="text"
            readOnly
            value={link.url}
            onFocus={selectLink}
          />
          <button type="button" class="rp-shell-button rp-shell-primary" onClick={copyLink}>
            {t(lang, 'present.copy')}
          </button>
        </div>
        <p class="rp-console-share-copy" role="status">
          {copy === 'copied' && t(lang, 'present.copied')}
          {copy === 'select' && tc(lang, 'present.selectToCopy')}
        </p>
        <p class="rp-muted">{t(lang, 'present.sendHint')}</p>
        <a class="rp-shell-button" href={link.url} target="_blank" rel="noopener noreferrer">
          {t(lang, 'present.openAsBuyer')}
        </a>
      </div>
      <figure class="rp-console-share-qr">
        <QrCode url={link.url} label={t(lang, 'present.qr')} />
        <figcaption>{t(lang, 'present.qrHint')}</figcaption>
      </figure>
    </div>
  );
}
