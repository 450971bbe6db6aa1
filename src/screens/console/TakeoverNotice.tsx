import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface TakeoverNoticeProps {
  lang: Lang;
  onTakeover: () => void;
}

/** Another tab of this agent leads the buyer's screen; this one may take the lead. */
export function TakeoverNotice({ lang, onTakeover }: TakeoverNoticeProps) {
  return (
    <div class="rp-console-takeover" role="alert">
      <p class="rp-console-takeover-title">{t(lang, 'takeover.title')}</p>
      <p>{t(lang, 'takeover.body')}</p>
      <button type="button" class="rp-shell-button rp-shell-primary" onClick={onTakeover}>
        {t(lang, 'takeover.button')}
      </button>
    </div>
  );
}
