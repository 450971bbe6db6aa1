import { useEffect, useMemo, useState } from 'preact/hooks';

import { useDocumentTitle } from '../app/use-document-title.js';
import { useLang } from '../app/use-lang.js';
import { errorMessage, t } from '../i18n.js';
import { ConsoleApi } from './api.js';
import type { Agent } from './api-types.js';
import { ConsoleHeader } from './ConsoleHeader.js';
import { LoginScreen } from './LoginScreen.js';
import { Workspace } from './Workspace.js';

type Auth =
  | { kind: 'checking' }
  | { kind: 'signedOut'; notice: string | null }
  | { kind: 'signedIn'; agent: Agent };

/** The agent's console: sign-in, then the workspace. */
export function ConsoleApp() {
  const [lang, setLang] = useLang();
  const api = useMemo(() => new ConsoleApi(), []);
  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });

  useDocumentTitle(t(lang, 'app.title'));

  useEffect(() => {
    // A session that ends under the agent (expired, signed out elsewhere) leads back to sign-in.
    api.onUnauthorized = () =>
      setAuth((current) =>
        current.kind === 'signedIn' ? { kind: 'signedOut', notice: 'unauthorized' } : current,
      );
    api.me().then(
      (session) => setAuth({ kind: 'signedIn', agent: session.agent }),
      () => setAuth({ kind: 'signedOut', notice: null }),
    );
  }, [api]);

  const signOut = () => {
    api.logout().finally(() => setAuth({ kind: 'signedOut', notice: null }));
  };

  if (auth.kind === 'signedIn') {
    return (
      <Workspace lang={lang} onLang={setLang} api={api} agent={auth.agent} onSignOut={signOut} />
    );
  }

  return (
    <>
      <ConsoleHeader lang={lang} onLang={setLang} complexName={null} agent={null} />
      <main class="rp-console-main rp-console-centered">
        {auth.kind === 'checking' ? (
          <p role="status">{t(lang, 'app.loading')}</p>
        ) : (
          <LoginScreen
            lang={lang}
            api={api}
            notice={auth.notice && errorMessage(lang, auth.notice)}
            onSignedIn={(agent) => setAuth({ kind: 'signedIn', agent })}
          />
        )}
      </main>
    </>
  );
}
