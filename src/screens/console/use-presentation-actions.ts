/**
 * What the agent can do to a running presentation over HTTP: extend, re-issue the link, revoke
 * it, end it. One action at a time; a failure is kept as its code for the panel to explain.
 */
import { useCallback, useState } from 'preact/hooks';

import type { ConsoleApi } from './api.js';
import { forgetLink } from './link-store.js';
import { EXTEND_MINUTES } from './lifetime.js';
import type { PresentationSession } from './use-presentation-session.js';

export type PresentationAction = 'extend' | 'reissue' | 'revoke' | 'end';

export interface PresentationActions {
  busy: PresentationAction | null;
  failure: unknown;
  /** Resolves to whether the action went through. */
  run: (action: PresentationAction) => Promise<boolean>;
}

export function usePresentationActions(
  api: ConsoleApi,
  session: PresentationSession,
): PresentationActions {
  const [busy, setBusy] = useState<PresentationAction | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const id = session.live?.detail.id ?? null;
  const { updateDetail, replaceLink, finish } = session;

  const run = useCallback(
    async (action: PresentationAction) => {
      if (id === null) return false;
      setBusy(action);
      setFailure(null);
      try {
        switch (action) {
          case 'extend':
            updateDetail(await api.extend(id, EXTEND_MINUTES));
            break;
          case 'reissue': {
            const { presentation, link } = await api.reissue(id);
            updateDetail(presentation);
            replaceLink(link);
            break;
          }
          case 'revoke':
            forgetLink(id);
            finish(await api.revoke(id), 'revoked');
            break;
          case 'end':
            forgetLink(id);
            finish(await api.end(id), 'agent_ended');
            break;
        }
        return true;
      } catch (error) {
        setFailure(error);
        return false;
      } finally {
        setBusy(null);
      }
    },
    [api, id, updateDetail, replaceLink, finish],
  );

  return { busy, failure, run };
}
