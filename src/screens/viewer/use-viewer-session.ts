/**
 * The buyer's live connection: a `ViewerClient` started from the page's bootstrap, and what it
 * reports, as state the screens render. The SDK reconnects by itself; this hook listens, and
 * passes on the buyer's reactions, the one thing a buyer sends.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { PublicInventory, PublicUnit } from '../../core/inventory.js';
import type { CloseReason, PresentationView, ReactionKind } from '../../core/protocol.js';
import { cutCovers } from '../../core/view-inventory.js';
import type { InventoryScope } from '../../core/view-inventory.js';
import type { ViewState } from '../../core/view-state.js';
import type { ConnectionStatus, TransportChoice } from '../../sdk/connection.js';
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
  /** Set while `inventory` is the cut the page came with, before the whole one is in. */
  scope: InventoryScope | null;
  /** How many reactions the server refused as too many (`rate_limited`) so far. */
  reactionRefusals: number;
}

export interface ViewerConnection extends ViewerSession {
  /** Sends a buyer's reaction; false when there is no connection to send it on. */
  react: (kind: ReactionKind, unitId: string | null) => boolean;
  /**
   * Calls `listener` with how far down the view the agent scrolls (a fraction), up to ~30
   * times a second while they do; returns the unsubscribe. Not state: following the agent's
   * scroll must not redraw the view each time.
   */
  onAgentScroll: AgentScrollSource;
}

export type AgentScrollSource = (listener: (fraction: number) => void) => () => void;

/** A link that did not open is not worth a connection: the bootstrap already says why. */
function canConnect(bootstrap: ViewerBootstrap, token: string | null): token is string {
  return token !== null && bootstrap.error === undefined && bootstrap.presentation !== null;
}

/** How often, and how long apart, the page asks again for the whole inventory. */
const INVENTORY_ATTEMPTS = 5;
const INVENTORY_RETRY_MS = 3000;

function isInventory(value: unknown): value is PublicInventory {
  const record = value as Partial<PublicInventory> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    Array.isArray(record.units) &&
    typeof record.complex === 'object' &&
    record.complex !== null &&
    Array.isArray(record.complex.buildings)
  );
}

/**
 * Fetches the whole public inventory once the page is live, when it came with a cut: the first
 * frame did not wait for it, and the agent's next place may need it. Keeps asking a few times
 * if it fails; the cut keeps drawing whatever it covers meanwhile.
 */
function useWholeInventory(
  url: string | undefined,
  token: string | null,
  live: boolean,
  onInventory: (inventory: PublicInventory) => void,
): void {
  // Wanted from the first time the page is live on; a dropout after that does not cancel it.
  const [wanted, setWanted] = useState(false);
  useEffect(() => {
    if (live) setWanted(true);
  }, [live]);

  useEffect(() => {
    if (!url || token === null || !wanted) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const attempt = async (left: number) => {
      try {
        const res = await fetch(url, {
          headers: { 'x-viewer-token': token },
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
        });
        if (!res.ok) throw new Error(`inventory: ${res.status}`);
        const value: unknown = await res.json();
        if (!isInventory(value)) throw new Error('inventory: not an inventory');
        if (!stopped) {
          markOnce('rp-inventory');
          onInventory(value);
        }
      } catch {
        if (!stopped && left > 1) {
          timer = setTimeout(() => void attempt(left - 1), INVENTORY_RETRY_MS);
        }
      }
    };
    void attempt(INVENTORY_ATTEMPTS);
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [url, token, wanted, onInventory]);
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
  const scrollListeners = useRef(new Set<(fraction: number) => void>());
  const [session, setSession] = useState<ViewerSession>(() => ({
    state: bootstrap.state ?? null,
    presentation: bootstrap.presentation,
    status: canConnect(bootstrap, token) ? 'connecting' : 'closed',
    fatalReason: null,
    inventory: bootstrap.inventory ?? null,
    scope: bootstrap.inventoryScope ?? null,
    reactionRefusals: 0,
  }));
  // Every unit update since the page loaded, the last of each unit: the whole inventory may
  // have been read before some of them, and they are laid over it when it comes.
  const updates = useRef(new Map<string, PublicUnit>());

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
      transport: forcedTransport(),
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
      client.on('units', (units) => {
        for (const unit of units) updates.current.set(unit.id, unit);
        setSession((s) =>
          s.inventory ? { ...s, inventory: applyUnitUpdates(s.inventory, units) } : s,
        );
      }),
      client.on('volatile', (data) => {
        const fraction = data.scroll?.top;
        if (fraction === undefined) return;
        for (const listener of scrollListeners.current) listener(fraction);
      }),
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

  const takeWhole = useCallback((whole: PublicInventory) => {
    const merged = applyUnitUpdates(whole, [...updates.current.values()]);
    setSession((s) => ({ ...s, inventory: merged, scope: null }));
  }, []);
  useWholeInventory(
    session.scope ? bootstrap.inventoryUrl : undefined,
    token,
    session.status === 'open',
    takeWhole,
  );

  // While the page holds only its cut, a state the cut cannot draw as the whole inventory would
  // (the agent moved on before the rest came) waits for it; the buyer keeps the last frame.
  const drawable = useRef<ViewState | null>(null);
  let state = session.state;
  if (
    session.scope &&
    session.inventory &&
    state &&
    !cutCovers(session.scope, session.inventory, state)
  ) {
    state = drawable.current;
  } else {
    drawable.current = state;
  }

  const react = useCallback(
    (kind: ReactionKind, unitId: string | null) => clientRef.current?.react(kind, unitId) ?? false,
    [],
  );

  const onAgentScroll = useCallback<AgentScrollSource>((listener) => {
    scrollListeners.current.add(listener);
    return () => scrollListeners.current.delete(listener);
  }, []);

  // A fatal end stays what it is; anything else is offline while the phone has no network.
  const drawn: ViewerSession = { ...session, state };
  const shown: ViewerSession =
    online || session.status === 'closed' ? drawn : { ...drawn, status: 'offline' };
  return { ...shown, react, onAgentScroll };
}

/**
 * `?transport=sse` (or `ws`, `poll`) pins the buyer's page to one transport, for support calls
 * and tests; without it the SDK picks, falling back from WebSocket to SSE to long-polling.
 */
function forcedTransport(): TransportChoice {
  const asked = new URLSearchParams(window.location.search).get('transport');
  return asked === 'ws' || asked === 'sse' || asked === 'poll' ? asked : 'auto';
}
