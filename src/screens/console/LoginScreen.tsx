import { useId, useState } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ConsoleApi } from './api.js';
import type { Agent } from './api-types.js';
import { failureText } from './errors.js';

interface LoginScreenProps {
  lang: Lang;
  api: ConsoleApi;
  /** Why the agent is asked to sign in again, when a session ended under them. */
  notice: string | null;
  onSignedIn: (agent: Agent) => void;
}

export function LoginScreen({ lang, api, notice, onSignedIn }: LoginScreenProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { email: useId(), password: useId() };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const session = await api.login(email.trim(), password);
      onSignedIn(session.agent);
    } catch (error) {
      setProblem(failureText(lang, error));
      setBusy(false);
    }
  };

  return (
    <section class="rp-console-login" aria-labelledby="rp-login-title">
      <h2 id="rp-login-title">{t(lang, 'login.title')}</h2>
      {notice && <p class="rp-console-warning">{notice}</p>}
      <form class="rp-console-form" onSubmit={submit}>
        <label for={ids.email}>{t(lang, 'login.email')}</label>
        <input
          id={ids.email}
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
        <label for={ids.password}>{t(lang, 'login.password')}</label>
        <input
          id={ids.password}
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
        {problem && (
          <p class="rp-console-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="rp-shell-button rp-shell-primary" disabled={busy}>
          {busy ? t(lang, 'login.submitting') : t(lang, 'login.submit')}
        </button>
      </form>
    </section>
  );
}
