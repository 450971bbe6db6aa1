/**
 * The buyer's live connection: a `ViewerClient` started from the page's bootstrap, and what it
 * reports, as state the screens render. The SDK reconnects by itself; this hook only listens.
 */
import { useEffect, useState } from 'preact/hooks';

import type { CloseReason, PresentationView } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';
import type { ConnectionStatus } from '../../sdk/connection.js';
// From its own module, not the SDK's index: the index also brings the presenter, which the
// console shares with this bundle, and the buyer's phone would download it for nothing.
import { ViewerClient } from '../../sdk/viewer.js';
import type { ViewerBootstrap } from './bootstrap.js';
import { deviceKind } from './device.js';

export interface ViewerSession {
  state: ViewState | null;
  presentation: PresentationView | null;
  status: ConnectionStatus;
  /** Set once the server ends this connection for good; the screen says why. */
  fatalReason: CloseReason | null;
}

/** A link that did not open is not worth a connection: the bootstrap already says why. */
function canConnect(bootstrap: ViewerBootstrap, token: string | null): token is string {
  return token !== null && bootstrap.error === undefined && bootstrap.presentation !== null;
}

export function useViewerSession(bootstrap: ViewerBootstrap, token: string | null): ViewerSession {
  const [session, setSession] = useState<ViewerSession>(() => ({
    state: bootstrap.state ?? null,
    presentation: bootstrap.presentation,
    status: canConnect(bootstrap, token) ? 'connecting' : 'closed',
    fatalReason: null,
  }));

  useEffect(() => {
    if (!canConnect(bootstrap, token)) return undefined;

    const { presentation, state, seq } = bootstrap;
    const initial =
      presentation && state && seq !== undefined ? { seq, state, presentation } : undefined;
    const client = new ViewerClient({
      baseUrl: window.location.origin,
      token,
      device: deviceKind(),
      initial,
    });

    const unsubscribe = [
      client.on('state', (next) => setSession((s) => ({ ...s, state: next }))),
      client.on('presentation', (next) => setSession((s) => ({ ...s, presentation: next }))),
      client.on('status', (next) => setSession((s) => ({ ...s, status: next }))),
      client.on('closed', (event) => {
        // Our own close on unmount is reported too; only the server's verdict is a screen.
        const { fatal, reason } = event;
        if (!fatal || reason === 'closed_by_client') return;
        setSession((s) => ({ ...s, status: 'closed', fatalReason: reason }));
      }),
    ];
    client.connect();

    return () => {
      for (const off of unsubscribe) off();
      client.close();
    };
  }, [bootstrap, token]);

  return session;
}
