import type { ComponentChildren } from 'preact';

import { LangToggle } from '../app/LangToggle.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { Agent } from './api-types.js';

interface ConsoleHeaderProps {
  lang: Lang;
  onLang: (lang: Lang) => void;
  complexName: string | null;
  agent: Agent | null;
  onSignOut?: () => void;
  /** The header's own actions: the presentation button and the list of presentations. */
  children?: ComponentChildren;
}

export function ConsoleHeader(props: ConsoleHeaderProps) {
  const { lang, onLang, complexName, agent, onSignOut, children } = props;

  return (
    <header class="rp-console-header">
      <div class="rp-console-brand">
        <h1>{t(lang, 'app.title')}</h1>
        {complexName && <p class="rp-muted">{complexName}</p>}
      </div>
      <div class="rp-console-header-actions">
        {children}
        <LangToggle lang={lang} onLang={onLang} />
        {agent && (
          <p class="rp-console-agent">{t(lang, 'console.signedInAs', { name: agent.name })}</p>
        )}
        {onSignOut && (
          <button type="button" class="rp-shell-button" onClick={onSignOut}>
            {t(lang, 'console.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
