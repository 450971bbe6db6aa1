/**
 * The interface language: the one the person chose on this device, else the browser's. The
 * choice is remembered in local storage so the buyer's next link opens in it too.
 */
import { useCallback, useLayoutEffect, useState } from 'preact/hooks';

import { detectLang } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { readStored, writeStored } from './storage.js';

const LANG_KEY = 'rp.lang';

function browserLanguages(): readonly string[] {
  if (navigator.languages && navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function initialLang(): Lang {
  const stored = readStored('local', LANG_KEY);
  if (stored === 'ru' || stored === 'en') return stored;
  return detectLang(browserLanguages());
}

export function useLang(): [Lang, (lang: Lang) => void] {
  const [lang, setLang] = useState<Lang>(initialLang);

  // Screen readers pick their voice from the document's language, so it follows the choice.
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const choose = useCallback((next: Lang) => {
    writeStored('local', LANG_KEY, next);
    setLang(next);
  }, []);

  return [lang, choose];
}
