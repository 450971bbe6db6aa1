/**
 * The realtime side of one node: the hubs of the presentations it serves, the protocol
 * sessions of its connections, and the housekeeping (heartbeats, slow viewers, empty hubs).
 */
import type { Logger } from 'pino';

import type { CloseReason, PresentationView } from '../../core/protocol.js';
import { sameValue } from '../../core/view-state.js';
import type { ViewState } from '../../core/view-state.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import { toPublicUnit } from '../../core/inventory.js';
import type { Unit } from '../../core/inventory.js';
import type { DeviceKind, TransportKind } from '../../core/protocol.js';
import type { Catalogue } from '../inventory/catalogue.js';
import type { ActivitySink } from '../presentations/activity.js';
import type { PresentationEvents, PresentationService } from '../presentations/service.js';
import type { PresentationRow, Store } from '../storage/store.js';
import type { NodeSignal, PresentationBus } from './bus.js';
import { Hub } from './hub.js';
import type { RecordKind } from './hub.js';

export interface RealtimeDeps {
  nodeId: string;
  bus: PresentationBus;
  store: Store;
  service: PresentationService;
  clock: Clock;
  config: Config;
  metrics: Metrics;
  log: Logger;
  /** Where webhooks and other listeners hear what happened. */
  activity?: ActivitySink;
  /** The inventory this node serves; kept current when units change on any node. */
  catalogue?: Catalogue;
}

/** Anything the node must be able to close: a socket, an SSE stream, a polling session. */
export interface Closable {
  close(reason: CloseReason): void;
  /** Called on every heartbeat tick; returns false when the peer has been silent too long. */
  heartbeat(now: number): boolean;
}

const SWEEP_MS = 500;
/**
 * A heartbeat goes out in this many slices spread over its interval: pinging 15,000
 * connections in one go stalls the event loop for a few hundred milliseconds once a beat,
 * which every change arriving meanwhile waits out.
 */
const HEARTBEAT_SLICES = 20;

export interface ViewerInfo {
  deviceId: string;
  device: DeviceKind;
  transport: TransportKind;
}

export class Realtime implements PresentationEvents {
  readonly #d: RealtimeDeps;
  readonly #hubs = new Map<string, Hub>();
  readonly #opening = new Map<string, Promise<Hub>>();
  readonly #connections = new Set<Closable>();
  readonly #bySession = new Map<string, Set<Closable>>();
  readonly #timers: TimerHandle[] = [];
  /** The beat in progress: who is due, taken when it starts, and how many slices are done. */
  #beat: { hubs: Hub[]; connections: Closable[]; slice: number } | null = null;
  #draining = false;
  readonly #stopUnits: () => void;
  readonly #stopNodes: () => void;

  constructor(deps: RealtimeDeps) {
    this.#d = deps;
    this.#timers.push(deps.clock.every(SWEEP_MS, () => this.#sweep()));
    this.#timers.push(
      deps.clock.every(deps.config.heartbeatMs / HEARTBEAT_SLICES, () => this.#heartbeatSlice()),
    );
    this.#stopUnits = deps.bus.subscribeUnits((units) => this.unitsChanged(units));
    this.#stopNodes = deps.bus.subscribeNodes({
      signal: (signal) => this.#onNodeSignal(signal),
      resync: () => {
        this.#recoverAfterOutage().catch((err: unknown) => {
          deps.log.error({ err }, 'recovery after a bus outage failed');
        });
      },
    });
  }

  /** Units changed (here or on another node): the catalogue and every screen here follow. */
  unitsChanged(units: readonly Unit[]): void {
    this.#d.catalogue?.apply(units);
    const changed = units.map(toPublicUnit);
    for (const hub of this.#hubs.values()) hub.broadcastUnits(changed);
  }

  /**
   * The bus is back after an outage, and whatever was published meanwhile is lost. The hubs
   * re-read their sequence and state from the bus by themselves; everything else a signal
   * would have brought is re-read from storage, which every node writes before it signals:
   * agents' names, units, each presentation's lifecycle (ended, revoked, extended, handed
   * over) and links revoked by a re-issue. Without this, a buyer on another node could keep
   * watching a presentation revoked during the outage.
   */
  async #recoverAfterOutage(): Promise<void> {
    const { service, store, catalogue, log } = this.#d;
    service.forgetAgents();

    if (catalogue) {
      const stored = await store.inventory.load();
      if (stored) {
        const current = new Map(catalogue.units.map((u) => [u.id, JSON.stringify(u)]));
        const changed = stored.units.filter((u) => current.get(u.id) !== JSON.stringify(u));
        if (changed.length > 0) this.unitsChanged(changed);
      }
    }

    for (const hub of [...this.#hubs.values()]) {
      try {
        const view = await this.#reloadView(hub);
        if (!view || view.status === 'ended') continue;
        for (const tokenHash of hub.viewerTokenHashes()) {
          const link = await store.links.findByHash(tokenHash);
          if (!link || link.revokedAt !== null) hub.cutToken(tokenHash, 'revoked');
        }
      } catch (err) {
        log.error({ err, presentationId: hub.pid }, 'recovery after a bus outage failed');
      }
    }
  }

  #onNodeSignal(signal: NodeSignal): void {
    switch (signal.kind) {
      case 'logged_out':
        this.#closeLocalSession(signal.sessionHash);
        return;
      case 'agent_changed':
        this.#d.service.forgetAgent(signal.agentId);
        return;
    }
  }

  get draining(): boolean {
    return this.#draining;
  }

  get deps(): RealtimeDeps {
    return this.#d;
  }

  /** The hub of a presentation on this node, opened from its stored state if needed. */
  async hub(row: PresentationRow): Promise<Hub> {
    const existing = this.#hubs.get(row.id);
    if (existing) return existing;
    const opening = this.#opening.get(row.id);
    if (opening) return opening;

    const promise = this.#open(row);
    this.#opening.set(row.id, promise);
    try {
      return await promise;
    } finally {
      this.#opening.delete(row.id);
    }
  }

  async #open(row: PresentationRow): Promise<Hub> {
    const { service, store, bus, clock, config, metrics, log, nodeId } = this.#d;
    const pid = row.id;
    // A bus that never heard of a presentation that already ran: this node or the bus restarted.
    const afterRestart = row.status !== 'created' && (await bus.head(pid)) === undefined;
    const hub = new Hub({
      pid,
      nodeId,
      bus,
      clock,
      metrics,
      view: await service.view(row),
      logSize: config.resumeLogSize,
      heartbeatMs: config.heartbeatMs,
      bufferCapBytes: config.viewerBufferBytes,
      persist: (seq, state) => store.presentations.saveState(pid, seq, JSON.stringify(state)),
      onPresenterPresence: (present) =>
        present ? service.presenterJoined(pid) : service.presenterLeft(pid),
      onLifecycle: (view) => {
        if (view.status !== 'ended') void service.rearm(pid).catch(() => undefined);
      },
      record: (kind, detail) => this.#record(pid, kind, detail),
      onError: (err, what) => log.error({ err, presentationId: pid }, `hub: ${what} failed`),
      afterRestart,
    });
    await service.rearm(pid);
    await hub.open({ seq: row.seq, state: JSON.parse(row.stateJson) as ViewState });
    // A lifecycle change signalled after `row` was read and before the hub listened (the agent
    // joining on another node, say) passed the hub by: now that it listens, read it once more.
    await this.#reloadView(hub);
    this.#hubs.set(pid, hub);
    return hub;
  }

  /** Gives a hub the lifecycle as stored, where a signal it missed left it behind. */
  async #reloadView(hub: Hub): Promise<PresentationView | undefined> {
    const row = await this.#d.store.presentations.findById(hub.pid);
    if (!row) return undefined;
    const view = await this.#d.service.view(row);
    if (!sameValue(view, hub.view)) hub.setView(view);
    return view;
  }

  /** Writes one entry of the session record, and tells the activity sink of reactions. */
  #record(pid: string, kind: RecordKind, detail: Record<string, unknown>): void {
    const { service, activity, clock } = this.#d;
    service.note(pid, kind, detail);
    if (kind === 'reaction' && activity) {
      activity.record(
        {
          type: 'reaction',
          presentationId: pid,
          kind: detail.kind as 'heart' | 'call_me' | 'more_info',
          unitId: (detail.unitId as string | null) ?? null,
          deviceId: String(detail.deviceId),
        },
        clock.now(),
      );
    }
  }

  /** A buyer's device joined or left: the session record and the host system hear of it. */
  viewerJoined(pid: string, viewer: ViewerInfo): void {
    this.#viewerEvent(pid, 'joined', viewer);
  }

  viewerLeft(pid: string, viewer: ViewerInfo): void {
    this.#viewerEvent(pid, 'left', viewer);
  }

  #viewerEvent(pid: string, what: 'joined' | 'left', viewer: ViewerInfo): void {
    const { service, activity, clock } = this.#d;
    service.note(pid, `viewer_${what}`, { ...viewer });
    activity?.record({ type: `buyer.${what}`, presentationId: pid, ...viewer }, clock.now());
  }

  existingHub(pid: string): Hub | undefined {
    return this.#hubs.get(pid);
  }

  // ------------------------------------------------------------------ PresentationEvents

  lifecycle(pid: string, view: PresentationView): void {
    // The local hub hears it through its bus subscription, like the hubs on other nodes.
    this.#d.bus.signal(pid, { kind: 'lifecycle', presentation: view }).catch((err: unknown) => {
      this.#d.log.error({ err, presentationId: pid }, 'lifecycle signal failed');
      this.#hubs.get(pid)?.setView(view);
    });
    if (view.status === 'ended') void this.#d.bus.drop(pid).catch(() => undefined);
  }

  cut(pid: string, reason: 'revoked', tokenHash?: string): void {
    const signal =
      tokenHash === undefined
        ? { kind: 'cut' as const, reason }
        : { kind: 'cut' as const, reason, tokenHash };
    this.#d.bus.signal(pid, signal).catch((err: unknown) => {
      this.#d.log.error({ err, presentationId: pid }, 'cut signal failed');
      // Viewers here are cut now; other nodes find the link revoked when the bus is back.
      const hub = this.#hubs.get(pid);
      if (!hub) return;
      if (tokenHash === undefined) hub.cutAll(reason);
      else hub.cutToken(tokenHash, reason);
    });
  }

  handoff(pid: string, toAgentId: string): void {
    this.#d.bus.signal(pid, { kind: 'handoff', toAgentId }).catch((err: unknown) => {
      this.#d.log.error({ err, presentationId: pid }, 'handoff signal failed');
    });
  }

  // ------------------------------------------------------------------ connections

  track(connection: Closable, sessionHash?: string | null): void {
    this.#connections.add(connection);
    if (sessionHash) {
      let set = this.#bySession.get(sessionHash);
      if (!set) this.#bySession.set(sessionHash, (set = new Set()));
      set.add(connection);
    }
  }

  untrack(connection: Closable, sessionHash?: string | null): void {
    this.#connections.delete(connection);
    if (sessionHash) {
      const set = this.#bySession.get(sessionHash);
      set?.delete(connection);
      if (set?.size === 0) this.#bySession.delete(sessionHash);
    }
  }

  /**
   * Logout: every live socket opened with that session closes for good, on every node (R25).
   * The sockets here close at once; the other nodes hear of it over the bus. A bus that cannot
   * carry the signal is logged, not thrown: the session is already gone by then, so the agent
   * is signed out either way.
   */
  async closeSession(sessionHash: string): Promise<void> {
    this.#closeLocalSession(sessionHash);
    try {
      await this.#d.bus.broadcast({ kind: 'logged_out', sessionHash });
    } catch (err) {
      this.#d.log.error({ err }, 'logout signal failed; sockets on other nodes stay open');
    }
  }

  #closeLocalSession(sessionHash: string): void {
    for (const connection of [...(this.#bySession.get(sessionHash) ?? [])]) {
      connection.close('logged_out');
    }
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * One slice of a heartbeat: each hub and each connection is visited once a beat, at the
   * same point of every beat, so a peer is still given up on after two beats of silence.
   */
  #heartbeatSlice(): void {
    if (!this.#beat || this.#beat.slice === HEARTBEAT_SLICES) {
      this.#beat = {
        hubs: [...this.#hubs.values()],
        connections: [...this.#connections],
        slice: 0,
      };
    }
    const beat = this.#beat;
    const share = <T>(all: T[]): T[] =>
      all.slice(
        Math.floor((all.length * beat.slice) / HEARTBEAT_SLICES),
        Math.floor((all.length * (beat.slice + 1)) / HEARTBEAT_SLICES),
      );
    const hubs = share(beat.hubs);
    const connections = share(beat.connections);
    beat.slice++;

    for (const hub of hubs) {
      if (this.#hubs.get(hub.pid) !== hub) continue;
      hub.checkPresenters().catch((err: unknown) => {
        this.#d.log.warn({ err, presentationId: hub.pid }, 'presenter check failed');
      });
    }
    const now = this.#d.clock.now();
    for (const connection of connections) {
      if (!this.#connections.has(connection)) continue;
      if (!connection.heartbeat(now)) connection.close('heartbeat_timeout');
    }
  }

  #sweep(): void {
    const maxStale = this.#d.config.heartbeatMs * 2;
    const counts = { created: 0, live: 0, agent_away: 0, ended: 0 };
    for (const [pid, hub] of this.#hubs) {
      hub.sweepStale(maxStale);
      if (hub.size === 0) {
        hub.close();
        this.#hubs.delete(pid);
        continue;
      }
      counts[hub.view.status]++;
    }
    for (const [state, n] of Object.entries(counts))
      this.#d.metrics.presentations.set({ state }, n);
  }

  /** Waits until every hub has stored what it acknowledged or is about to. */
  async settle(): Promise<void> {
    await Promise.all([...this.#hubs.values()].map((hub) => hub.settle()));
  }

  /**
   * Graceful shutdown: stop taking new connections, store what is in flight, then tell every
   * client to reconnect (to this node when it returns, or to another).
   */
  async shutdown(): Promise<void> {
    this.#draining = true;
    for (const timer of this.#timers) timer.cancel();
    this.#stopUnits();
    this.#stopNodes();
    await this.settle();
    for (const connection of [...this.#connections]) connection.close('shutting_down');
    for (const hub of this.#hubs.values()) hub.close();
    this.#hubs.clear();
  }
}
