import type { PresentationView } from '../../core/protocol.js';
import { LangToggle } from '../app/LangToggle.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ViewerScreen } from './viewer-screen.js';

interface ViewerHeaderProps {
  lang: Lang;
  onLang: (lang: Lang) => void;
  screen: ViewerScreen;
  /** Whether the connection is open; a live frame drawn from the page's bootstrap is not yet. */
  connected: boolean;
  presentation: PresentationView | null;
  /** The screen's status in words, for the live region screen readers follow. */
  announcement: string;
}

type Tone = 'live' | 'waiting' | 'away' | 'off';

/** The indicator's word and colour for screens that still show the agent's view. */
function indicator(screen: ViewerScreen, connected: boolean, lang: Lang) {
  switch (screen.kind) {
    case 'live':
      return connected
        ? { tone: 'live' as Tone, text: t(lang, 'viewer.live') }
        : { tone: 'waiting' as Tone, text: t(lang, 'viewer.connecting') };
    case 'connecting':
      return { tone: 'waiting' as Tone, text: t(lang, 'viewer.connecting') };
    case 'agentAway':
      return { tone: 'away' as Tone, text: t(lang, 'viewer.agentAway') };
    case 'offline':
      return { tone: 'off' as Tone, text: t(lang, 'viewer.offlineTitle') };
    default:
      return null;
  }
}

export function ViewerHeader(props: ViewerHeaderProps) {
  const { lang, onLang, screen, connected, presentation, announcement } = props;
  const status = indicator(screen, connected, lang);
  // The complex's name is shown as the developer wrote it; it usually carries «ЖК» already.
  const title = presentation ? presentation.complexName : t(lang, 'app.title');

  return (
    <header class="rp-viewer-header">
      <div class="rp-viewer-heading">
        <h1 class="rp-viewer-title">{title}</h1>
        {presentation && (
          <p class="rp-viewer-agent">
            {t(lang, 'viewer.presentedBy', { agent: presentation.agent.name })}
          </p>
        )}
      </div>
      <div class="rp-viewer-header-side">
        {status && (
          <p class={`rp-viewer-indicator rp-tone-${status.tone}`}>
            <span class="rp-viewer-dot" aria-hidden="true" />
            {status.text}
          </p>
        )}
        <LangToggle lang={lang} onLang={onLang} />
      </div>
      <p class="rp-vh" role="status" aria-live="polite">
        {announcement}
      </p>
    </header>
  );
}
