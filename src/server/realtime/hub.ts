/**
 * One presentation's live room on this node: its presenter tabs, its viewers, the local copy of
 * the view state, and the fan-out of ordered changes.
 *
 * Every operation after `open()` is synchronous on the local copy, so a frame is never sent out
 * of order: a peer's `lastSeq` says what it has, and anything it lacks arrives as a replay of
 * the local log or as a snapshot.
 */
import type { PublicUnit } from '../../core/inventory.js';
import type {
  CloseReason,
  DeviceKind,
  FatalReason,
  PresentationView,
  Reaction,
  ReactionKind,
  ServerMessage,
  TransportKind,
  ViewerPresence,
  VolatileData,
} from '../../core/protocol.js';
import { PROTOCOL_VERSION } from '../../core/protocol.js';
import type { ErrorCode } from '../../core/errors.js';
import { ERRORS } from '../../core/errors.js';
import { applyPatch, sameValue } from '../../core/view-state.js';
import type { ViewPatch, ViewState } from '../../core/view-state.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { trimLog } from './bus.js';
import type { BusEntry, BusSignal, PresentationBus } from './bus.js';

/** A connection as the hub sees it, whatever the transport. */
export interface Peer {
  readonly connectionId: string;
  readonly transport: TransportKind;
  /** Queues one serialised frame. */
  send(frame: string): void;
  /** Bytes queued for this peer and not yet written to the network. */
  buffered(): number;
  close(reason: CloseReason, message?: string): void;
}

interface PeerBase {
  peer: Peer;
  /** The last sequence number this peer has been sent. */
  lastSeq: number;
  /** Over its buffer cap: receives nothing until it drains, then a snapshot. */
  staleSince: number | null;
}

export interface ViewerContext extends PeerBase {
  role: 'viewer';
  deviceId: string;
  device: DeviceKind;
  tokenHash: string;
  visible: boolean;
  connectedAt: number;
  lagMs: number | null;
  /** When this viewer's recent reactions were sent, for the reaction rate limit. */
  reactions: number[];
}

export interface PresenterContext extends PeerBase {
  role: 'presenter';
  agentId: string;
  sessionHash: string | null;
}

export type PeerContext = ViewerContext | PresenterContext;

export interface HubOptions {
  pid: string;
  nodeId: string;
  bus: PresentationBus;
  clock: Clock;
  metrics: Metrics;
  view: PresentationView;
  logSize: number;
  heartbeatMs: number;
  bufferCapBytes: number;
  /** Makes a state durable; a change is acknowledged to the presenter only after this resolves. */
  persist(seq: number, state: ViewState): Promise<void>;
  /** Called when the count of presenter connections on this node goes to or from zero. */
  onPresenterPresence(present: boolean): void;
  /** A lifecycle change arrived (from any node). */
  onLifecycle(view: PresentationView): void;
  /** Keeps the session record: what was shown, reactions, a buyer's tab hidden or visible. */
  record?(kind: RecordKind, detail: Record<string, unknown>): void;
  onError(err: unknown, what: string): void;
  /**
   * The hub opens after a restart, from a stored state that may be older than what the node's
   * previous life sent out: patches it fanned out before storing them may have reached viewers
   * and died with the process. Numbering on from the stored state would give new changes the
   * numbers of lost ones, and a viewer resuming from such a number would keep a state that no
   * longer exists; so the first change skips past every number that life could have used.
   */
  afterRestart?: boolean;
}

export type RecordKind = 'shown' | 'reaction' | 'viewer_hidden' | 'viewer_visible';

/** A buyer may react this many times per window; reactions are signals, not a chat. */
const REACTIONS_PER_WINDOW = 5;
const REACTION_WINDOW_MS = 10_000;
/** Fields whose change means the buyer is now looking at something else. */
const SHOWN_FIELDS = ['view', 'buildingId', 'sectionId', 'floor', 'unitId'] as const;

const VOLATILE_INTERVAL_MS = 33;
const PRESENCE_INTERVAL_MS = 200;
const SENT_AT_KEPT = 64;
/** A change in a viewer's lag worth telling the agent about on its own. */
const LAG_NOTICEABLE_MS = 25;
/**
 * How far numbering jumps after a restart (see `afterRestart`): more changes than a node can fan
 * out without storing them; at a presenter's 60 changes a second, storage would have to fail
 * for over four hours.
 */
const RESTART_SEQ_GAP = 1_000_000;
/** Another node's viewers count until this many heartbeats pass without news from it. */
const PRESENCE_LAPSE_BEATS = 2.5;

export class Hub {
  readonly pid: string;
  readonly #o: HubOptions;
  #view: PresentationView;
  #seq = 0;
  #state!: ViewState;
  #log: BusEntry[] = [];
  #unsubscribe: (() => void) | null = null;
  #resyncing = false;
  /** Something newer arrived while resynchronising: look at the bus's head once more after. */
  #resyncAgain = false;
  /** The next change skips numbers that a previous life of the node may have handed out. */
  #renumber = false;
  /** The presenter whose change is being appended right now, if any. */
  #origin: PresenterContext | null = null;

  readonly #viewers = new Map<string, ViewerContext>();
  readonly #presenters = new Map<string, PresenterContext>();
  #active: PresenterContext | null = null;
  /**
   * Viewer presence of the other nodes, each with when it was last heard, for the presenters
   * and the device cap. A node re-announces its viewers every heartbeat; one that vanished
   * without saying goodbye stops doing so, and its viewers are dropped (PRESENCE_LAPSE_BEATS).
   */
  readonly #presenceByNode = new Map<string, { viewers: ViewerPresence[]; at: number }>();

  #changes: Promise<void> = Promise.resolve();
  #pendingAcks: { ctx: PresenterContext; clientSeq: number; seq: number }[] = [];
  #dirty: { seq: number; state: ViewState } | null = null;
  #writing = false;
  readonly #sentAt = new Map<number, number>();

  #volatile: VolatileData | null = null;
  #volatileTimer: TimerHandle | null = null;
  #presenceTimer: TimerHandle | null = null;
  #closed = false;

  constructor(options: HubOptions) {
    this.pid = options.pid;
    this.#o = options;
    this.#view = options.view;
    this.#renumber = options.afterRestart ?? false;
  }

  get view(): PresentationView {
    return this.#view;
  }

  get seq(): number {
    return this.#seq;
  }

  get state(): ViewState {
    return this.#state;
  }

  get size(): number {
    return this.#viewers.size + this.#presenters.size;
  }

  /**
   * Starts listening, then loads the head from the bus (seeded from the database). In that
   * order an entry published meanwhile is never lost: one the head already holds is skipped,
   * a later one makes the hub look at the head again once it is open.
   */
  async open(seed: { seq: number; state: ViewState }): Promise<void> {
    const bus = this.#o.bus;
    this.#seq = seed.seq;
    this.#state = seed.state;
    await bus.seed(this.pid, seed);
    this.#resyncing = true;
    try {
      this.#unsubscribe = await bus.subscribe(this.pid, {
        entry: (entry) => this.#onEntry(entry),
        signal: (signal) => this.#onSignal(signal),
        resync: () => void this.#resync(),
      });
      const head = (await bus.head(this.pid)) ?? seed;
      this.#seq = head.seq;
      this.#state = head.state;
    } catch (err) {
      this.#unsubscribe?.();
      throw err;
    } finally {
      this.#resyncing = false;
    }
    if (this.#resyncAgain) {
      this.#resyncAgain = false;
      void this.#resync();
    }
  }

  // ------------------------------------------------------------------ joining and leaving

  /** Devices watching across all nodes, by their stable device id. */
  deviceIds(): Set<string> {
    const ids = new Set<string>();
    for (const { viewers } of this.#presenceByNode.values()) {
      for (const v of viewers) ids.add(v.deviceId);
    }
    for (const v of this.#viewers.values()) ids.add(v.deviceId);
    return ids;
  }

  addViewer(
    peer: Peer,
    info: { deviceId: string; device: DeviceKind; tokenHash: string; resumeFrom?: number },
  ): ViewerContext {
    const ctx: ViewerContext = {
      role: 'viewer',
      peer,
      lastSeq: -1,
      staleSince: null,
      deviceId: info.deviceId,
      device: info.device,
      tokenHash: info.tokenHash,
      visible: true,
      connectedAt: this.#o.clock.now(),
      lagMs: null,
      reactions: [],
    };
    this.#viewers.set(peer.connectionId, ctx);
    this.#send(ctx, this.#welcome(ctx, false));
    this.#catchUp(ctx, info.resumeFrom);
    this.#presenceChanged();
    return ctx;
  }

  addPresenter(
    peer: Peer,
    info: { agentId: string; sessionHash: string | null; takeover: boolean; resumeFrom?: number },
  ): PresenterContext {
    const ctx: PresenterContext = {
      role: 'presenter',
      peer,
      lastSeq: -1,
      staleSince: null,
      agentId: info.agentId,
      sessionHash: info.sessionHash,
    };
    this.#presenters.set(peer.connectionId, ctx);

    const presenting = this.#active === null || info.takeover;
    if (presenting) this.#makeActive(ctx, false);
    this.#send(ctx, this.#welcome(ctx, presenting));
    // A presenter gets a snapshot even when it resumes: the snapshot is its cue to compare its
    // own state with the stored one and re-send a change lost in flight, which a replay of
    // patches (or nothing, when it is up to date) would never give it.
    this.#sendSnapshot(ctx);
    this.#send(ctx, { type: 'presence', viewers: this.#allViewers() });

    // Counted on the bus, so "the agent left" means the last presenter on any node.
    this.#o.bus
      .presenterJoined(this.pid, peer.connectionId)
      .then(() => this.#o.onPresenterPresence(true))
      .catch((err: unknown) => this.#o.onError(err, 'presenter join'));
    return ctx;
  }

  remove(ctx: PeerContext): void {
    if (ctx.role === 'viewer') {
      if (this.#viewers.delete(ctx.peer.connectionId)) this.#presenceChanged();
      return;
    }

    if (!this.#presenters.delete(ctx.peer.connectionId)) return;
    this.#pendingAcks = this.#pendingAcks.filter((a) => a.ctx !== ctx);
    if (this.#active === ctx) {
      this.#active = null;
      // Another tab of the agent is still open: it presents now rather than leaving the
      // buyer with an "agent away" banner while the agent is plainly there.
      const next = this.#presenters.values().next();
      if (!next.done) this.#makeActive(next.value, true);
    }
    this.#o.bus
      .presenterLeft(this.pid, ctx.peer.connectionId)
      .then((left) => {
        if (left === 0) this.#o.onPresenterPresence(false);
      })
      .catch((err: unknown) => this.#o.onError(err, 'presenter leave'));
  }

  /**
   * Heartbeat duty: keep this node's presenters counted on the bus, and notice an agent whose
   * node vanished without saying goodbye (their count lapses), so buyers are not left watching
   * a frozen "live" presentation.
   */
  async checkPresenters(): Promise<void> {
    this.#refreshPresence();
    await this.#countPresenters();
    if (this.#presenters.size === 0 && this.#view.status === 'live') {
      if ((await this.#o.bus.presenterCount(this.pid)) === 0) this.#o.onPresenterPresence(false);
    }
  }

  /**
   * Counts this node's presenter connections on the bus again. A node that found the count
   * empty (Redis came back without it) may have declared the agent away meanwhile; a node
   * with a presenter connected knows better, and makes the presentation live again.
   */
  async #countPresenters(): Promise<void> {
    for (const ctx of this.#presenters.values()) {
      await this.#o.bus.presenterJoined(this.pid, ctx.peer.connectionId);
    }
    if (this.#presenters.size > 0 && this.#view.status === 'agent_away') {
      this.#o.onPresenterPresence(true);
    }
  }

  takeover(ctx: PresenterContext): void {
    if (this.#active !== ctx) this.#makeActive(ctx, true);
  }

  #makeActive(ctx: PresenterContext, announce: boolean): void {
    const previous = this.#active;
    this.#active = ctx;
    if (previous && previous !== ctx)
      this.#send(previous, { type: 'presenting', presenting: false });
    if (announce) this.#send(ctx, { type: 'presenting', presenting: true });
    void this.#o.bus
      .signal(this.pid, {
        kind: 'presenter',
        node: this.#o.nodeId,
        connectionId: ctx.peer.connectionId,
      })
      .catch((err: unknown) => this.#o.onError(err, 'presenter signal'));
  }

  // ------------------------------------------------------------------ presenter input

  change(ctx: PresenterContext, clientSeq: number, patch: ViewPatch): void {
    if (this.#active !== ctx) {
      this.#sendError(ctx, 'not_presenting', clientSeq);
      return;
    }
    const received = performance.now();

    // Changes are ordered one after another: each is applied to the state the previous one
    // produced, whatever the bus's latency.
    this.#changes = this.#changes.then(async () => {
      if (this.#closed) return;
      // A connection that closed or stopped presenting while this waited its turn must not
      // overwrite what came later: its client re-sends what matters after its next snapshot.
      if (this.#active !== ctx) {
        this.#sendError(ctx, 'not_presenting', clientSeq);
        return;
      }
      const next = applyPatch(this.#state, patch);
      try {
        if (this.#renumber) {
          // Stored before use, so that a crash before the next write cannot make a later
          // start jump to the same numbers again.
          await this.#o.persist(this.#seq + RESTART_SEQ_GAP, this.#state);
          this.#renumber = false;
          this.#seq += RESTART_SEQ_GAP;
        }
        // A bus that delivers at once (the in-process one) hands the entry back to #onEntry
        // during this call; knowing whose change it is spares that presenter its own echo.
        this.#origin = ctx;
        const appended = this.#o.bus.append(this.pid, patch, next, this.#seq);
        this.#origin = null;
        const entry = await appended;
        // A bus that delivers later (Redis) may not have delivered it yet, or may never: a
        // subscription that was down when it went out never hears of it. The next change
        // is numbered on from here, so this hub takes its own entry now rather than wait.
        this.#origin = ctx;
        this.#onEntry(entry);
        this.#origin = null;
        this.#o.metrics.fanOutSeconds.observe((performance.now() - received) / 1000);
        this.#pendingAcks.push({ ctx, clientSeq, seq: entry.seq });
        this.#persist(entry.seq, next);
        if (SHOWN_FIELDS.some((field) => field in patch)) {
          const { view, buildingId, sectionId, floor, unitId } = next;
          this.#o.record?.('shown', { view, buildingId, sectionId, floor, unitId });
        }
      } catch (err) {
        this.#o.onError(err, 'append');
        this.#sendError(ctx, 'unavailable', clientSeq);
      }
    });
  }

  volatile(ctx: PresenterContext, data: VolatileData): void {
    if (this.#active !== ctx) return;
    void this.#o.bus
      .signal(this.pid, { kind: 'volatile', data })
      .catch((err: unknown) => this.#o.onError(err, 'volatile signal'));
  }

  // ------------------------------------------------------------------ viewer input

  viewerPresence(ctx: ViewerContext, visible: boolean): void {
    if (ctx.visible === visible) return;
    ctx.visible = visible;
    this.#presenceChanged();
    this.#o.record?.(visible ? 'viewer_visible' : 'viewer_hidden', {
      deviceId: ctx.deviceId,
      device: ctx.device,
    });
  }

  /** A buyer's heart, "call me" or "tell me more": shown to the agent at once, never state. */
  react(ctx: ViewerContext, kind: ReactionKind, unitId: string | null): void {
    const now = this.#o.clock.now();
    ctx.reactions = ctx.reactions.filter((at) => now - at < REACTION_WINDOW_MS);
    if (ctx.reactions.length >= REACTIONS_PER_WINDOW) {
      this.#sendError(ctx, 'rate_limited');
      return;
    }
    ctx.reactions.push(now);

    const reaction: Reaction = {
      kind,
      unitId,
      deviceId: ctx.deviceId,
      device: ctx.device,
      at: new Date(now).toISOString(),
    };
    this.#o.record?.('reaction', { ...reaction });
    void this.#o.bus
      .signal(this.pid, { kind: 'reaction', reaction })
      .catch((err: unknown) => this.#o.onError(err, 'reaction signal'));
  }

  /** Units changed in the inventory: every console and viewer here shows the new values. */
  broadcastUnits(units: PublicUnit[]): void {
    this.#broadcast({ type: 'units', units });
  }

  /** The links the viewers here were admitted with, by their hashes. */
  viewerTokenHashes(): Set<string> {
    return new Set([...this.#viewers.values()].map((ctx) => ctx.tokenHash));
  }

  /** Closes the viewers admitted with one link, which is no longer good. */
  cutToken(tokenHash: string, reason: FatalReason): void {
    for (const ctx of [...this.#viewers.values()]) {
      if (ctx.tokenHash === tokenHash) ctx.peer.close(reason);
    }
  }

  /** Closes every viewer here. */
  cutAll(reason: FatalReason): void {
    for (const ctx of [...this.#viewers.values()]) ctx.peer.close(reason);
  }

  viewerAck(ctx: ViewerContext, seq: number): void {
    const sentAt = this.#sentAt.get(seq);
    if (sentAt === undefined) return;
    const previous = ctx.lagMs;
    ctx.lagMs = Math.max(0, this.#o.clock.now() - sentAt);
    // A lag that barely moved rides along with the next presence update instead of causing one.
    if (previous === null || Math.abs(ctx.lagMs - previous) >= LAG_NOTICEABLE_MS) {
      this.#presenceChanged();
    }
  }

  /** A client noticed a gap or wants to be sure: send what it lacks. */
  resume(ctx: PeerContext, seq: number): void {
    this.#catchUp(ctx, seq);
  }

  // ------------------------------------------------------------------ the bus

  #onEntry(entry: BusEntry): void {
    if (entry.seq <= this.#seq) return;
    if (this.#resyncing) {
      // The head being read may be older than this entry; dropping it silently would leave
      // everyone here one change behind until the next.
      this.#resyncAgain = true;
      return;
    }
    if (entry.seq !== this.#seq + 1) {
      void this.#resync();
      return;
    }

    this.#seq = entry.seq;
    this.#state = applyPatch(this.#state, entry.patch);
    this.#log.push(entry);
    trimLog(this.#log, this.#o.logSize);

    this.#sentAt.set(entry.seq, this.#o.clock.now());
    if (this.#sentAt.size > SENT_AT_KEPT) {
      this.#sentAt.delete(this.#sentAt.keys().next().value as number);
    }

    const frame = JSON.stringify({ type: 'patch', seq: entry.seq, patch: entry.patch, t: entry.t });
    let sent = 0;
    for (const ctx of this.#viewers.values()) if (this.#deliver(ctx, frame, entry.seq)) sent++;
    for (const ctx of this.#presenters.values()) {
      if (ctx === this.#origin && ctx.lastSeq === entry.seq - 1) {
        // It has this change already; its ack will carry the number.
        ctx.lastSeq = entry.seq;
        continue;
      }
      if (this.#deliver(ctx, frame, entry.seq)) sent++;
    }
    this.#o.metrics.messagesOut.inc({ type: 'patch' }, sent);
  }

  #onSignal(signal: BusSignal): void {
    switch (signal.kind) {
      case 'lifecycle':
        this.#applyLifecycle(signal.presentation);
        return;
      case 'volatile':
        this.#queueVolatile(signal.data);
        return;
      case 'presence': {
        if (signal.node === this.#o.nodeId) return;
        const known = this.#presenceByNode.get(signal.node);
        const changed = JSON.stringify(known?.viewers ?? []) !== JSON.stringify(signal.viewers);
        if (signal.viewers.length === 0) this.#presenceByNode.delete(signal.node);
        else
          this.#presenceByNode.set(signal.node, {
            viewers: signal.viewers,
            at: this.#o.clock.now(),
          });
        if (changed) this.#sendPresence();
        return;
      }
      case 'cut':
        if (signal.tokenHash === undefined) this.cutAll(signal.reason);
        else this.cutToken(signal.tokenHash, signal.reason);
        return;
      case 'resync':
        void this.#resync();
        return;
      case 'reaction':
        for (const ctx of this.#presenters.values()) {
          this.#send(ctx, { type: 'reaction', reaction: signal.reaction });
        }
        return;
      case 'handoff':
        for (const ctx of [...this.#presenters.values()]) {
          if (ctx.agentId !== signal.toAgentId) ctx.peer.close('handed_off');
        }
        return;
      case 'presenter':
        // A tab on another node took over: tabs here stop presenting.
        if (signal.node !== this.#o.nodeId && this.#active) {
          this.#send(this.#active, { type: 'presenting', presenting: false });
          this.#active = null;
        }
        return;
    }
  }

  /**
   * Brings this hub and the bus back into agreement after messages may have been lost. The
   * newer side wins: a bus ahead of us sends everyone here a snapshot; a bus behind us (Redis
   * restarted empty) is re-seeded from our state and told to make every other node check too.
   */
  async #resync(): Promise<void> {
    if (this.#resyncing) {
      this.#resyncAgain = true;
      return;
    }
    this.#resyncing = true;
    try {
      const head = await this.#o.bus.head(this.pid);
      if (!head || head.seq < this.#seq) {
        await this.#o.bus.seed(this.pid, { seq: this.#seq, state: this.#state });
        await this.#o.bus.signal(this.pid, { kind: 'resync' });
      } else if (head.seq > this.#seq || !sameValue(head.state, this.#state)) {
        // Ahead of us, or (after Redis lost its data) the same number for another state: the
        // bus's head is what every node numbers on from, so everyone here takes it.
        this.#seq = head.seq;
        this.#state = head.state;
        this.#log = [];
        for (const ctx of [...this.#viewers.values(), ...this.#presenters.values()]) {
          this.#sendSnapshot(ctx);
        }
      }
      // The presenter count may be gone with the rest: counted again now, before another
      // node's heartbeat finds it empty and tells the buyers the agent left.
      await this.#countPresenters();
    } catch (err) {
      this.#o.onError(err, 'resync');
    } finally {
      this.#resyncing = false;
      if (this.#resyncAgain) {
        this.#resyncAgain = false;
        void this.#resync();
      }
    }
  }

  // ------------------------------------------------------------------ lifecycle

  #applyLifecycle(view: PresentationView): void {
    this.#view = view;
    this.#o.onLifecycle(view);
    this.#broadcast({ type: 'lifecycle', presentation: view });
    if (view.status !== 'ended') return;

    const reason: FatalReason =
      view.endReason === 'expired' ? 'expired' : view.endReason === 'revoked' ? 'revoked' : 'ended';
    for (const ctx of [...this.#viewers.values(), ...this.#presenters.values()]) {
      ctx.peer.close(reason);
    }
  }

  /** Applies a lifecycle change locally; the registry also publishes it for other nodes. */
  setView(view: PresentationView): void {
    this.#applyLifecycle(view);
  }

  // ------------------------------------------------------------------ delivery

  #welcome(ctx: PeerContext, presenting: boolean): ServerMessage {
    return {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      role: ctx.role,
      connectionId: ctx.peer.connectionId,
      presentation: this.#view,
      presenting,
      heartbeatMs: this.#o.heartbeatMs,
      serverTime: this.#o.clock.now(),
    };
  }

  #catchUp(ctx: PeerContext, from: number | undefined): void {
    if (from !== undefined && from <= this.#seq) {
      const first = this.#log[0];
      const covered = from === this.#seq || (first !== undefined && first.seq <= from + 1);
      if (covered) {
        for (const entry of this.#log) {
          if (entry.seq <= from) continue;
          ctx.peer.send(
            JSON.stringify({ type: 'patch', seq: entry.seq, patch: entry.patch, t: entry.t }),
          );
        }
        ctx.lastSeq = this.#seq;
        return;
      }
    }
    this.#sendSnapshot(ctx);
  }

  #sendSnapshot(ctx: PeerContext): void {
    ctx.staleSince = null;
    ctx.lastSeq = this.#seq;
    this.#send(ctx, { type: 'snapshot', seq: this.#seq, state: this.#state });
  }

  /** Sends one change to one peer, or marks it stale when it cannot keep up. */
  #deliver(ctx: PeerContext, frame: string, seq: number): boolean {
    if (ctx.staleSince !== null) return false;
    if (ctx.lastSeq >= seq) return false;
    if (ctx.lastSeq !== seq - 1) {
      this.#sendSnapshot(ctx);
      return true;
    }
    if (ctx.peer.buffered() > this.#o.bufferCapBytes) {
      ctx.staleSince = this.#o.clock.now();
      this.#o.metrics.slowViewers.inc();
      return false;
    }
    ctx.peer.send(frame);
    ctx.lastSeq = seq;
    return true;
  }

  /**
   * Looks after peers that fell behind: one that drained gets a snapshot and rejoins the
   * stream; one stuck past `maxStaleMs` is closed so it reconnects and starts afresh.
   */
  sweepStale(maxStaleMs: number): void {
    const now = this.#o.clock.now();
    for (const ctx of [...this.#viewers.values(), ...this.#presenters.values()]) {
      if (ctx.staleSince === null) continue;
      if (ctx.peer.buffered() < this.#o.bufferCapBytes / 4) {
        this.#sendSnapshot(ctx);
      } else if (now - ctx.staleSince > maxStaleMs) {
        ctx.peer.close('lagging');
      }
    }
  }

  #send(ctx: PeerContext, message: ServerMessage): void {
    ctx.peer.send(JSON.stringify(message));
    this.#o.metrics.messagesOut.inc({ type: message.type });
  }

  #broadcast(message: ServerMessage): void {
    const frame = JSON.stringify(message);
    for (const ctx of this.#viewers.values()) ctx.peer.send(frame);
    for (const ctx of this.#presenters.values()) ctx.peer.send(frame);
    this.#o.metrics.messagesOut.inc({ type: message.type }, this.size);
  }

  #sendError(ctx: PeerContext, code: ErrorCode, clientSeq?: number): void {
    const message: ServerMessage = { type: 'error', code, message: ERRORS[code].message };
    if (clientSeq !== undefined) message.clientSeq = clientSeq;
    this.#send(ctx, message);
    this.#o.metrics.errors.inc({ code });
  }

  #queueVolatile(data: VolatileData): void {
    // Pointer and scroll are conflated: only the latest value goes out, at most ~30 times a
    // second, and a viewer with anything queued skips it rather than queueing more.
    this.#volatile = data;
    if (this.#volatileTimer) return;
    this.#volatileTimer = this.#o.clock.after(VOLATILE_INTERVAL_MS, () => {
      this.#volatileTimer = null;
      const latest = this.#volatile;
      this.#volatile = null;
      if (!latest || this.#closed) return;
      const frame = JSON.stringify({ type: 'volatile', data: latest });
      for (const ctx of this.#viewers.values()) {
        if (ctx.staleSince === null && ctx.peer.buffered() === 0) ctx.peer.send(frame);
      }
    });
  }

  // ------------------------------------------------------------------ presence

  #localPresence(): ViewerPresence[] {
    return [...this.#viewers.values()].map((v) => ({
      connectionId: v.peer.connectionId,
      deviceId: v.deviceId,
      device: v.device,
      transport: v.peer.transport,
      visible: v.visible,
      connectedAt: new Date(v.connectedAt).toISOString(),
      lagMs: v.lagMs,
    }));
  }

  #allViewers(): ViewerPresence[] {
    const all: ViewerPresence[] = [];
    for (const { viewers } of this.#presenceByNode.values()) all.push(...viewers);
    all.push(...this.#localPresence());
    return all;
  }

  /**
   * Heartbeat duty for presence: tell the other nodes this node's viewers are still here, and
   * forget the viewers of a node that has not said so for PRESENCE_LAPSE_BEATS heartbeats.
   */
  #refreshPresence(): void {
    if (this.#viewers.size > 0 && this.#o.bus.spansNodes) this.#announcePresence();
    const oldest = this.#o.clock.now() - this.#o.heartbeatMs * PRESENCE_LAPSE_BEATS;
    let lapsed = false;
    for (const [node, heard] of this.#presenceByNode) {
      if (heard.at < oldest) {
        this.#presenceByNode.delete(node);
        lapsed = true;
      }
    }
    if (lapsed) this.#sendPresence();
  }

  #announcePresence(): void {
    void this.#o.bus
      .signal(this.pid, { kind: 'presence', node: this.#o.nodeId, viewers: this.#localPresence() })
      .catch((err: unknown) => this.#o.onError(err, 'presence signal'));
  }

  #presenceChanged(): void {
    if (this.#presenceTimer || this.#closed) return;
    this.#presenceTimer = this.#o.clock.after(PRESENCE_INTERVAL_MS, () => {
      this.#presenceTimer = null;
      if (this.#closed) return;
      this.#sendPresence();
      this.#announcePresence();
    });
  }

  #sendPresence(): void {
    if (this.#presenters.size === 0) return;
    const message: ServerMessage = { type: 'presence', viewers: this.#allViewers() };
    for (const ctx of this.#presenters.values()) this.#send(ctx, message);
  }

  /** Viewers on this node, for the presentation's record and the REST API. */
  localViewers(): ViewerPresence[] {
    return this.#localPresence();
  }

  viewers(): ViewerPresence[] {
    return this.#allViewers();
  }

  presenterContexts(): PresenterContext[] {
    return [...this.#presenters.values()];
  }

  // ------------------------------------------------------------------ durability

  #persist(seq: number, state: ViewState): void {
    this.#dirty = { seq, state };
    if (!this.#writing) void this.#flush();
  }

  /**
   * Write-behind with coalescing: viewers already have the change; the presenter's ack waits
   * until the state that includes it is stored, and bursts of changes share one write.
   */
  async #flush(): Promise<void> {
    this.#writing = true;
    let failures = 0;
    while (this.#dirty && !this.#closed) {
      const { seq, state } = this.#dirty;
      this.#dirty = null;
      try {
        await this.#o.persist(seq, state);
        failures = 0;
        this.#ackUpTo(seq);
      } catch (err) {
        this.#o.onError(err, 'persist');
        if (!this.#dirty) this.#dirty = { seq, state };
        failures++;
        await new Promise<void>((resolve) =>
          this.#o.clock.after(Math.min(100 * 2 ** failures, 5000), resolve),
        );
      }
    }
    this.#writing = false;
  }

  #ackUpTo(seq: number): void {
    const due = this.#pendingAcks.filter((a) => a.seq <= seq);
    if (due.length === 0) return;
    this.#pendingAcks = this.#pendingAcks.filter((a) => a.seq > seq);
    for (const ack of due) {
      this.#send(ack.ctx, { type: 'ack', clientSeq: ack.clientSeq, seq: ack.seq });
    }
  }

  /** Waits until every change received so far is ordered and stored. */
  async settle(): Promise<void> {
    await this.#changes;
    while (this.#writing || this.#dirty) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  close(reason?: CloseReason): void {
    if (this.#closed) return;
    if (reason) {
      for (const ctx of [...this.#viewers.values(), ...this.#presenters.values()]) {
        ctx.peer.close(reason);
      }
    }
    this.#closed = true;
    this.#unsubscribe?.();
    this.#volatileTimer?.cancel();
    this.#presenceTimer?.cancel();
  }
}
