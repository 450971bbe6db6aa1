import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface LangToggleProps {
  lang: Lang;
  onLang: (lang: Lang) => void;
}

/**
 * One button naming the other language in that language («English» on the Russian screen,
 * «Русский» on the English one): whoever cannot read the current language can still find it.
 */
export function LangToggle({ lang, onLang }: LangToggleProps) {
  const other: Lang = lang === 'ru' ? 'en' : 'ru';

  return (
    <button
      type="button"
      class="rp-shell-lang"
      lang={other}
      title={t(other, 'app.language')}
      onClick={() => onLang(other)}
    >
      {t(other, other === 'ru' ? 'app.lang.ru' : 'app.lang.en')}
    </button>
  );
}
