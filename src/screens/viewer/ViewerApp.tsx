import { useDocumentTitle } from '../app/use-document-title.js';
import { useLang } from '../app/use-lang.js';
import { t } from '../i18n.js';
import { bootstrapProblem } from './bootstrap.js';
import type { ViewerBootstrap } from './bootstrap.js';
import { recapOf } from './recap.js';
import { ScreenBody } from './ScreenBody.js';
import { screenTitle } from './screen-title.js';
import { useRecap } from './use-recap.js';
import { useViewerSession } from './use-viewer-session.js';
import { ViewerHeader } from './ViewerHeader.js';
import { viewerScreen } from './viewer-screen.js';

interface ViewerAppProps {
  bootstrap: ViewerBootstrap;
  token: string | null;
}

// A page without a connection to retry (the link did not open) retries by loading again.
const reload = () => window.location.reload();

/** The buyer's page: the agent's view while the presentation lives, and a clear screen after. */
export function ViewerApp({ bootstrap, token }: ViewerAppProps) {
  const [lang, setLang] = useLang();
  const session = useViewerSession(bootstrap, token);
  const problem = bootstrapProblem(bootstrap, token);
  const { presentation, state, inventory } = session;

  const screen = viewerScreen({
    bootstrapError: problem,
    fatalReason: session.fatalReason,
    presentation,
    status: session.status,
    hasFrame: state !== null && inventory !== null,
  });
  const kept = useRecap(presentation?.id ?? null, state, inventory);
  const recap = recapOf(bootstrap.recap, kept, inventory);
  const title = screenTitle(screen, lang);

  useDocumentTitle(`${title} · ${t(lang, 'app.title')}`);

  return (
    <div class="rp-viewer" data-screen={screen.kind}>
      <ViewerHeader
        lang={lang}
        onLang={setLang}
        screen={screen}
        connected={session.status === 'open'}
        presentation={presentation}
        announcement={title}
      />
      <main class="rp-viewer-main">
        <ScreenBody
          lang={lang}
          screen={screen}
          state={state}
          inventory={inventory}
          presentation={presentation}
          recap={recap}
          problem={problem}
          onReload={reload}
          react={session.react}
          reactionRefusals={session.reactionRefusals}
          onAgentScroll={session.onAgentScroll}
        />
      </main>
    </div>
  );
}
