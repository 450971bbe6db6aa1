/**
 * The agent's side: presents a view state. Changes apply locally at once and are sent with a
 * client counter; the server acknowledges each once it is stored. After a reconnect the
 * presenter compares its state with the server's snapshot and sends the difference, so nothing
 * the agent did while the line was down is lost.
 */
import type { PublicUnit } from '../core/inventory.js';
import type {
  PresentationView,
  Reaction,
  ServerMessage,
  ViewerPresence,
  VolatileData,
} from '../core/protocol.js';
import { PROTOCOL_VERSION } from '../core/protocol.js';
import type { ErrorCode } from '../core/errors.js';
import { applyPatch, diffViewState, initialViewState } from '../core/view-state.js';
import type { ViewPatch, ViewState } from '../core/view-state.js';
import { Connection } from './connection.js';
import type {
  ClosedEvent,
  ConnectionStatus,
  FetchLike,
  TransportChoice,
  TransportKind,
  WebSocketFactory,
} from './connection.js';
import { Emitter } from './emitter.js';

export interface PresenterOptions {
  baseUrl: string;
  presentationId: string;
  /** Returns a fresh presenter token (integrations); omit to use the session cookie. */
  auth?: () => Promise<string>;
  initialState?: ViewState;
  /** Present from here even if another tab of the agent presents now. */
  takeover?: boolean;
  /** 'auto' (the default): WebSocket, then SSE, then long-polling; or force one. */
  transport?: TransportChoice;
  webSocket?: WebSocketFactory;
  /** Carries SSE and long-polling; defaults to the global fetch. */
  fetch?: FetchLike;
  /** In 'auto' mode, how long an attempt may take to deliver `welcome` (4 s). */
  connectTimeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type PresenterEvents = {
  state: [ViewState];
  presenting: [boolean];
  presence: [ViewerPresence[]];
  presentation: [PresentationView];
  status: [ConnectionStatus];
  closed: [ClosedEvent];
  ack: [{ clientSeq: number; seq: number }];
  /** A buyer's heart, "call me" or "tell me more". */
  reaction: [Reaction];
  /** Units whose status, price or offer changed (buyer-safe fields). */
  units: [PublicUnit[]];
  error: [{ code: ErrorCode; message: string; clientSeq?: number }];
};

const VOLATILE_INTERVAL_MS = 33;
/** A change the server could not store is sent again after this, doubling up to the cap. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 5_000;

export class PresenterClient extends Emitter<PresenterEvents> {
  readonly #conn: Connection;
  #state: ViewState;
  #serverSeq = -1;
  #clientSeq = 0;
  /** Sent and not yet acknowledged, by client counter. */
  readonly #unacked = new Map<number, ViewPatch>();
  /** Changed while disconnected or standing by: reconcile after the next snapshot. */
  #dirty = false;
  #presenting = false;
  #viewers: ViewerPresence[] = [];
  #presentation: PresentationView | null = null;
  #takeoverNext: boolean;
  #volatile: VolatileData | null = null;
  #volatileTimer: ReturnType<typeof setTimeout> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retries = 0;

  constructor(options: PresenterOptions) {
    super();
    this.#state = options.initialState ?? initialViewState();
    this.#takeoverNext = options.takeover ?? false;

    const connectionOptions: ConstructorParameters<typeof Connection>[0] = {
      baseUrl: options.baseUrl,
      hello: async () => {
        const hello = {
          type: 'hello' as const,
          v: PROTOCOL_VERSION,
          role: 'presenter' as const,
          presentationId: options.presentationId,
          ...(this.#serverSeq >= 0 ? { resumeFrom: this.#serverSeq } : {}),
          ...(this.#takeoverNext ? { takeover: true } : {}),
          ...(options.auth ? { auth: await options.auth() } : {}),
        };
        return hello;
      },
    };
    if (options.transport) connectionOptions.transport = options.transport;
    if (options.webSocket) connectionOptions.webSocket = options.webSocket;
    if (options.fetch) connectionOptions.fetch = options.fetch;
    if (options.connectTimeoutMs !== undefined)
      connectionOptions.connectTimeoutMs = options.connectTimeoutMs;
    if (options.baseDelayMs !== undefined) connectionOptions.baseDelayMs = options.baseDelayMs;
    if (options.maxDelayMs !== undefined) connectionOptions.maxDelayMs = options.maxDelayMs;
    this.#conn = new Connection(connectionOptions);
    this.#conn.on('message', (m) => this.#receive(m));
    this.#conn.on('status', (s) => {
      if (s !== 'open' && this.#unacked.size > 0) this.#dirty = true;
      this.emit('status', s);
    });
    this.#conn.on('closed', (e) => this.emit('closed', e));
  }

  get state(): ViewState {
    return this.#state;
  }

  /**
   * The presentation's sequence number as far as this presenter knows it: from its
   * acknowledgements, the snapshots it was sent and other tabs' changes.
   */
  get seq(): number {
    return this.#serverSeq;
  }

  get presenting(): boolean {
    return this.#presenting;
  }

  get viewers(): ViewerPresence[] {
    return this.#viewers;
  }

  get presentation(): PresentationView | null {
    return this.#presentation;
  }

  get status(): ConnectionStatus {
    return this.#conn.status;
  }

  /** The transport in use: 'ws', 'sse' or 'poll'. */
  get transport(): TransportKind {
    return this.#conn.transport;
  }

  /**
   * Changes the server has not taken yet: those sent and neither acknowledged nor found in a
   * snapshot of the server's state, plus one for changes made offline or refused as
   * unavailable, which go out as one when they can.
   */
  get pending(): number {
    return this.#unacked.size + (this.#dirty ? 1 : 0);
  }

  connect(): this {
    this.#conn.open();
    return this;
  }

  close(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#conn.close();
  }

  /**
   * Applies a change locally and sends it. Returns false when another tab presents: the change
   * is refused so the two tabs do not fight over the buyer's screen.
   */
  change(patch: ViewPatch): boolean {
    if (!this.#presenting && this.#conn.status === 'open') return false;
    this.#state = applyPatch(this.#state, patch);
    this.emit('state', this.#state);
    if (!this.#sendChange(patch)) this.#dirty = true;
    return true;
  }

  /** Replaces the whole state; only the fields that differ travel. */
  setState(next: ViewState): boolean {
    const patch = diffViewState(this.#state, next);
    return Object.keys(patch).length === 0 ? true : this.change(patch);
  }

  takeover(): void {
    this.#takeoverNext = true;
    this.#conn.send({ type: 'takeover' });
  }

  /** Pointer or scroll: only the latest value is sent, at most ~30 times a second. */
  volatile(data: VolatileData): void {
    this.#volatile = data;
    if (this.#volatileTimer) return;
    this.#volatileTimer = setTimeout(() => {
      this.#volatileTimer = null;
      const latest = this.#volatile;
      this.#volatile = null;
      if (latest && this.#presenting) this.#conn.send({ type: 'volatile', data: latest });
    }, VOLATILE_INTERVAL_MS);
  }

  #sendChange(patch: ViewPatch): boolean {
    if (!this.#presenting) return false;
    const clientSeq = ++this.#clientSeq;
    if (!this.#conn.send({ type: 'change', clientSeq, patch })) return false;
    this.#unacked.set(clientSeq, patch);
    return true;
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.#presentation = message.presentation;
        this.#setPresenting(message.presenting);
        this.#conn.admitted(message.heartbeatMs);
        this.emit('presentation', message.presentation);
        return;
      case 'snapshot':
        this.#serverSeq = message.seq;
        this.#reconcile(message.state);
        return;
      case 'patch':
        if (message.seq <= this.#serverSeq) return;
        if (message.seq !== this.#serverSeq + 1) {
          this.#conn.send({ type: 'resume', seq: Math.max(this.#serverSeq, 0) });
          return;
        }
        this.#serverSeq = message.seq;
        // Our own changes come back too; only another tab's changes move our state.
        if (this.#unacked.size === 0 && !this.#dirty && !this.#presenting) {
          this.#state = applyPatch(this.#state, message.patch);
          this.emit('state', this.#state);
        }
        return;
      case 'ack':
        this.#unacked.delete(message.clientSeq);
        this.#retries = 0;
        // The server does not echo our own changes back; the ack says where numbering is.
        this.#serverSeq = Math.max(this.#serverSeq, message.seq);
        this.emit('ack', { clientSeq: message.clientSeq, seq: message.seq });
        return;
      case 'presenting':
        this.#setPresenting(message.presenting);
        if (message.presenting) this.#takeoverNext = false;
        return;
      case 'reaction':
        this.emit('reaction', message.reaction);
        return;
      case 'units':
        this.emit('units', message.units);
        return;
      case 'presence':
        this.#viewers = message.viewers;
        this.emit('presence', message.viewers);
        return;
      case 'lifecycle':
        this.#presentation = message.presentation;
        this.emit('presentation', message.presentation);
        return;
      case 'error':
        if (message.clientSeq !== undefined) {
          this.#unacked.delete(message.clientSeq);
          if (message.code === 'unavailable') this.#retryLater();
        }
        this.emit('error', message);
        return;
      default:
        return;
    }
  }

  /**
   * After (re)joining: if the agent changed things the server has not stored, the agent's
   * state wins and the difference is sent; otherwise the server's state is the truth.
   */
  #reconcile(server: ViewState): void {
    const ownChanges = this.#dirty || this.#unacked.size > 0;
    this.#unacked.clear();
    if (ownChanges && this.#presenting) {
      this.#dirty = false;
      const patch = diffViewState(server, this.#state);
      if (Object.keys(patch).length > 0 && !this.#sendChange(patch)) this.#dirty = true;
      return;
    }
    this.#dirty = false;
    this.#state = server;
    this.emit('state', server);
  }

  /**
   * The server could not order or store a change (its bus or database is down): the agent's
   * screen is now ahead of the buyers'. After a backoff the whole current state is sent as one
   * change; it carries the agent's latest values, so it cannot undo a later change that did
   * get through. A reconnect in the meantime reconciles through the snapshot instead.
   */
  #retryLater(): void {
    this.#dirty = true;
    if (this.#retryTimer) return;
    const delay = Math.min(RETRY_BASE_MS * 2 ** this.#retries, RETRY_MAX_MS);
    this.#retries++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#dirty || !this.#presenting || this.#conn.status !== 'open') return;
      this.#dirty = false;
      if (!this.#sendChange({ ...this.#state })) this.#dirty = true;
    }, delay);
  }

  #setPresenting(presenting: boolean): void {
    if (this.#presenting === presenting) return;
    this.#presenting = presenting;
    this.emit('presenting', presenting);
  }
}
