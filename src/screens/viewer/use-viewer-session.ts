/**
 * The buyer's live connection: a `ViewerClient` started from the page's bootstrap, and what it
 * reports, as state the screens render. The SDK reconnects by itself; this hook listens, and
 * passes on the buyer's reactions, the one thing a buyer sends.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { PublicInventory } from '../../core/inventory.js';
import type { CloseReason, PresentationView, ReactionKind } from '../../core/protocol.js';
import type { ViewState } from '../../core/view-state.js';
import type { ConnectionStatus } from '../../sdk/connection.js';
// From its own module, not the SDK's index: the index also brings the presenter, which the
// console shares with this bundle, and the buyer's phone would download it for nothing.
import { ViewerClient } from '../../sdk/viewer.js';
import { applyUnitUpdates } from '../app/unit-updates.js';
import type { ViewerBootstrap } from './bootstrap.js';
import { deviceKind } from './device.js';
import { markOnce } from './marks.js';

export interface ViewerSession {
  state: ViewState | null;
  presentation: PresentationView | null;
  status: ConnectionStatus;
  /** Set once the server ends this connection for good; the screen says why. */
  fatalReason: CloseReason | null;
  /** The page's inventory, with the statuses and prices changed since it loaded. */
  inventory: PublicInventory | null;
  /** How many reactions the server refused as too many (`rate_limited`) so far. */
  reactionRefusals: number;
}

export interface ViewerConnection extends ViewerSession {
  /** Sends a buyer's reaction; false when there is no connection to send it on. */
  react: (kind: ReactionKind, unitId: string | null) => boolean;
}

/** A link that did not open is not worth a connection: the bootstrap already says why. */
function canConnect(bootstrap: ViewerBootstrap, token: string | null): token is string {
  return token !== null && bootstrap.error === undefined && bootstrap.presentation !== null;
}

/**
 * Whether the phone says it has a network. A socket opened before the network went away stays
 * "open" for a while and delivers nothing, so the phone's own word is taken at once.
 */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine !== false);

  useEffect(() => {
    const update = () => setOnline(navigator.onLine !== false);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);

  return online;
}

export function useViewerSession(
  bootstrap: ViewerBootstrap,
  token: string | null,
): ViewerConnection {
  const online = useOnline();
  const clientRef = useRef<ViewerClient | null>(null);
  const [session, setSession] = useState<ViewerSession>(() => ({
    state: bootstrap.state ?? null,
    presentation: bootstrap.presentation,
    status: canConnect(bootstrap, token) ? 'connecting' : 'closed',
    fatalReason: null,
    inventory: bootstrap.inventory ?? null,
    reactionRefusals: 0,
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
    clientRef.current = client;

    const unsubscribe = [
      client.on('state', (next) => setSession((s) => ({ ...s, state: next }))),
      client.on('presentation', (next) => setSession((s) => ({ ...s, presentation: next }))),
      client.on('status', (next) => {
        if (next === 'open') markOnce('rp-live');
        setSession((s) => ({ ...s, status: next }));
      }),
      client.on('closed', (event) => {
        // Our own close on unmount is reported too; only the server's verdict is a screen.
        const { fatal, reason } = event;
        if (!fatal || reason === 'closed_by_client') return;
        setSession((s) => ({ ...s, status: 'closed', fatalReason: reason }));
      }),
      client.on('units', (units) =>
        setSession((s) =>
          s.inventory ? { ...s, inventory: applyUnitUpdates(s.inventory, units) } : s,
        ),
      ),
      // A viewer sends nothing else the server could find too frequent: this is a reaction.
      client.on('error', ({ code }) => {
        if (code === 'rate_limited') {
          setSession((s) => ({ ...s, reactionRefusals: s.reactionRefusals + 1 }));
        }
      }),
    ];
    client.connect();

    return () => {
      for (const off of unsubscribe) off();
      client.close();
      if (clientRef.current === client) clientRef.current = null;
    };
  }, [bootstrap, token]);

  const react = useCallback(
    (kind: ReactionKind, unitId: string | null) => clientRef.current?.react(kind, unitId) ?? false,
    [],
  );

  // A fatal end stays what it is; anything else is offline while the phone has no network.
  const shown: ViewerSession =
    online || session.status === 'closed' ? session : { ...session, status: 'offline' };
  return { ...shown, react };
}
