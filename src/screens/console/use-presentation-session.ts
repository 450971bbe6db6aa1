/**
 * The presentation this tab presents, if any: a `PresenterClient` and the agent's record of the
 * presentation, kept as screen state. While it lives, every change of the view goes through the
 * client, which applies it at once and mirrors it to the buyer.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { PublicUnit } from '../../core/inventory.js';
import type { Reaction, ViewerPresence } from '../../core/protocol.js';
import type { ViewPatch, ViewState } from '../../core/view-state.js';
import { PresenterClient } from '../../sdk/index.js';
import type { ConnectionStatus } from '../../sdk/index.js';
import type { IssuedLink, PresentationDetail } from './api-types.js';
import { saveLink, savePresentingId } from './link-store.js';

export interface LivePresentation {
  detail: PresentationDetail;
  link: IssuedLink | null;
  state: ViewState;
  /** False while another tab of the agent presents this presentation. */
  presenting: boolean;
  viewers: ViewerPresence[];
  status: ConnectionStatus;
  /** The code of the server's last refusal of a change, until the next one goes through. */
  refusal: string | null;
  /** The buyer's reactions in this tab's session, newest first. */
  reactions: readonly ReactionNote[];
}

export interface ReactionNote {
  /** Unique within the tab, for lists. */
  id: number;
  reaction: Reaction;
  /**
   * The unit it is about; for "call me", which is about no unit, the unit the agent had open
   * when it came, so that the agent knows what the buyer was looking at.
   */
  unitId: string | null;
}

/** The reactions kept for the live panel; it shows the newest few. */
const KEPT_REACTIONS = 20;

export interface FinishedPresentation {
  detail: PresentationDetail;
  /** Why it finished for this tab: an end reason, a close reason, or an action of the agent. */
  reason: string;
}

interface Running {
  client: PresenterClient;
  detail: PresentationDetail;
  link: IssuedLink | null;
}

export interface PresentationSession {
  live: LivePresentation | null;
  finished: FinishedPresentation | null;
  start(detail: PresentationDetail, link: IssuedLink | null, state: ViewState): void;
  change(patch: ViewPatch): void;
  /** Where the agent is scrolled in the view, as a fraction; conflated, never stored. */
  scroll(fraction: number): void;
  takeover(): void;
  updateDetail(detail: PresentationDetail): void;
  replaceLink(link: IssuedLink): void;
  finish(detail: PresentationDetail | null, reason: string): void;
  dismissFinished(): void;
}

export interface SessionListeners {
  /**
   * Receives the last state presented, so the console stays where it was rather than jumping
   * back when a presentation ends.
   */
  onFinished: (lastState: ViewState) => void;
  /** Units whose status, price or offer changed, from any agent. */
  onUnits: (units: PublicUnit[]) => void;
}

export function usePresentationSession(listeners: SessionListeners): PresentationSession {
  const [running, setRunning] = useState<Running | null>(null);
  const [finished, setFinished] = useState<FinishedPresentation | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [reactions, setReactions] = useState<readonly ReactionNote[]>([]);
  const [, setTick] = useState(0);

  const current = useRef<Running | null>(null);
  current.current = running;
  const listening = useRef(listeners);
  listening.current = listeners;
  const reactionCount = useRef(0);

  const finish = useCallback((detail: PresentationDetail | null, reason: string) => {
    const ending = current.current;
    if (!ending) {
      // Finished already, from the server's side; the detail the API answered says more.
      if (detail) {
        setFinished((f) => (f && f.detail.id === detail.id ? { ...f, detail } : f));
      }
      return;
    }
    current.current = null;

    listening.current.onFinished(ending.client.state);
    setFinished({ detail: detail ?? ending.detail, reason });
    setRunning(null);
    setRefusal(null);
    setReactions([]);
    savePresentingId(null);
  }, []);

  const client = running?.client ?? null;

  useEffect(() => {
    if (!client) return undefined;

    // The client holds the live values; a tick re-reads them on each of its events.
    const reread = () => setTick((n) => n + 1);
    const unsubscribe = [
      client.on('state', reread),
      client.on('presence', reread),
      client.on('status', reread),
      client.on('presenting', () => {
        setRefusal(null);
        reread();
      }),
      client.on('ack', () => setRefusal(null)),
      client.on('error', (error) => setRefusal(error.code)),
      client.on('presentation', (view) => {
        if (view.status === 'ended') {
          const ending = current.current;
          finish(ending && { ...ending.detail, ...view }, view.endReason ?? 'ended');
          return;
        }
        setRunning((r) =>
          r && r.client === client ? { ...r, detail: { ...r.detail, ...view } } : r,
        );
      }),
      client.on('closed', ({ fatal, reason }) => {
        if (fatal && reason !== 'closed_by_client') finish(null, reason);
      }),
      client.on('units', (units) => listening.current.onUnits(units)),
      client.on('reaction', (reaction) => {
        const { state } = client;
        const unitId =
          reaction.unitId === null && state.view === 'unit' ? state.unitId : reaction.unitId;
        const note = { id: ++reactionCount.current, reaction, unitId };
        setReactions((list) => [note, ...list].slice(0, KEPT_REACTIONS));
      }),
    ];
    client.connect();

    return () => {
      for (const off of unsubscribe) off();
      client.close();
    };
  }, [client, finish]);

  const start = useCallback(
    (detail: PresentationDetail, link: IssuedLink | null, state: ViewState) => {
      const next = new PresenterClient({
        baseUrl: window.location.origin,
        presentationId: detail.id,
        initialState: state,
      });
      if (link) saveLink(detail.id, link);
      savePresentingId(detail.id);
      setFinished(null);
      setRefusal(null);
      setReactions([]);
      setRunning({ client: next, detail, link });
    },
    [],
  );

  const change = useCallback((patch: ViewPatch) => {
    current.current?.client.change(patch);
  }, []);

  const scroll = useCallback((fraction: number) => {
    current.current?.client.volatile({ scroll: { top: fraction } });
  }, []);

  const takeover = useCallback(() => current.current?.client.takeover(), []);

  const updateDetail = useCallback((detail: PresentationDetail) => {
    setRunning((r) => (r && r.detail.id === detail.id ? { ...r, detail } : r));
  }, []);

  const replaceLink = useCallback((link: IssuedLink) => {
    const id = current.current?.detail.id;
    if (!id) return;
    saveLink(id, link);
    setRunning((r) => (r && r.detail.id === id ? { ...r, link } : r));
  }, []);

  const dismissFinished = useCallback(() => setFinished(null), []);

  const live: LivePresentation | null = running && {
    detail: running.detail,
    link: running.link,
    state: running.client.state,
    presenting: running.client.presenting,
    viewers: running.client.viewers,
    status: running.client.status,
    refusal,
    reactions,
  };

  return {
    live,
    finished,
    start,
    change,
    scroll,
    takeover,
    updateDetail,
    replaceLink,
    finish,
    dismissFinished,
  };
}
