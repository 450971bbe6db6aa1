/**
 * The buyer's side: follows a presentation through a capability link. It applies changes in
 * sequence order, asks for what it missed when it sees a gap, resumes from its last sequence
 * after a reconnect, and reports whether its tab is visible.
 */
import type { PublicUnit } from '../core/inventory.js';
import type {
  DeviceKind,
  ReactionKind,
  PresentationView,
  ServerMessage,
  VolatileData,
} from '../core/protocol.js';
import { PROTOCOL_VERSION } from '../core/protocol.js';
import type { ErrorCode } from '../core/errors.js';
import { applyPatch } from '../core/view-state.js';
import type { ViewState } from '../core/view-state.js';
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

export interface ViewerOptions {
  baseUrl: string;
  token: string;
  /** Stable per browser; defaults to one kept in localStorage (or a random one). */
  deviceId?: string;
  device?: DeviceKind;
  /** The state delivered with the page, so the first frame needs no round trip. */
  initial?: { seq: number; state: ViewState; presentation: PresentationView | null };
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

type ViewerEvents = {
  state: [ViewState];
  presentation: [PresentationView];
  status: [ConnectionStatus];
  closed: [ClosedEvent];
  volatile: [VolatileData];
  /** Units whose status, price or offer changed since the page loaded. */
  units: [PublicUnit[]];
  error: [{ code: ErrorCode; message: string }];
};

/** How often a viewer acknowledges, and so how fresh the lag on the agent's screen is. */
const LAG_SAMPLE_MS = 2_000;

export class ViewerClient extends Emitter<ViewerEvents> {
  readonly #conn: Connection;
  readonly deviceId: string;
  #state: ViewState | null = null;
  #seq = -1;
  #presentation: PresentationView | null = null;
  #ackQueued = false;
  #lastAckAt = -Infinity;
  #detachVisibility: (() => void) | null = null;

  constructor(options: ViewerOptions) {
    super();
    this.deviceId = options.deviceId ?? rememberedDeviceId();
    if (options.initial) {
      this.#state = options.initial.state;
      this.#seq = options.initial.seq;
      this.#presentation = options.initial.presentation;
    }

    const connectionOptions: ConstructorParameters<typeof Connection>[0] = {
      baseUrl: options.baseUrl,
      hello: () => ({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'viewer',
        token: options.token,
        deviceId: this.deviceId,
        device: options.device ?? guessDevice(),
        ...(this.#seq >= 0 ? { resumeFrom: this.#seq } : {}),
      }),
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
    this.#conn.on('status', (s) => this.emit('status', s));
    this.#conn.on('closed', (e) => this.emit('closed', e));
  }

  get state(): ViewState | null {
    return this.#state;
  }

  get seq(): number {
    return this.#seq;
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

  connect(): this {
    this.#conn.open();
    this.#watchVisibility();
    return this;
  }

  close(): void {
    this.#detachVisibility?.();
    this.#conn.close();
  }

  /** Tells the agent whether this tab is on screen. */
  setVisible(visible: boolean): void {
    this.#conn.send({ type: 'presence', visible });
  }

  /**
   * A heart, "call me" or "tell me more", about a unit or (null) the presentation. The agent
   * sees it at once; nothing on anyone's screen changes. Returns false when not connected.
   */
  react(kind: ReactionKind, unitId: string | null): boolean {
    return this.#conn.send({ type: 'react', kind, unitId });
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.#presentation = message.presentation;
        this.#conn.admitted(message.heartbeatMs);
        this.emit('presentation', message.presentation);
        if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
          this.setVisible(false);
        }
        return;
      case 'snapshot':
        this.#seq = message.seq;
        this.#state = message.state;
        this.emit('state', message.state);
        this.#queueAck(false);
        return;
      case 'patch':
        if (message.seq <= this.#seq) return; // already applied: a replay overlapping the stream
        if (message.seq !== this.#seq + 1 || !this.#state) {
          this.#conn.send({ type: 'resume', seq: Math.max(this.#seq, 0) });
          return;
        }
        this.#seq = message.seq;
        this.#state = applyPatch(this.#state, message.patch);
        this.emit('state', this.#state);
        this.#queueAck(true);
        return;
      case 'lifecycle':
        this.#presentation = message.presentation;
        this.emit('presentation', message.presentation);
        return;
      case 'volatile':
        this.emit('volatile', message.data);
        return;
      case 'units':
        this.emit('units', message.units);
        return;
      case 'error':
        this.emit('error', { code: message.code, message: message.message });
        return;
      default:
        return;
    }
  }

  /**
   * Acknowledges what was just applied, at most once per `LAG_SAMPLE_MS`: the server measures
   * the buyer's lag from these, and a sample every few seconds is all the agent's screen needs.
   * Sent at once when due (a delayed ack would read as lag), skipped otherwise. Only patches
   * carry a send time the server can measure from, so only they use up the sample.
   */
  #queueAck(patch: boolean): void {
    if (this.#ackQueued) return;
    const now = Date.now();
    if (patch && now - this.#lastAckAt < LAG_SAMPLE_MS) return;
    this.#ackQueued = true;
    queueMicrotask(() => {
      this.#ackQueued = false;
      if (this.#seq < 0) return;
      if (patch) this.#lastAckAt = now;
      this.#conn.send({ type: 'ack', seq: this.#seq });
    });
  }

  #watchVisibility(): void {
    if (typeof document === 'undefined' || this.#detachVisibility) return;
    const onChange = () => this.setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onChange);
    this.#detachVisibility = () => document.removeEventListener('visibilitychange', onChange);
  }
}

function rememberedDeviceId(): string {
  const fresh = () => {
    const bytes = new Uint8Array(12);
    globalThis.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };
  try {
    const stored = globalThis.localStorage?.getItem('rp.device');
    if (stored && /^[A-Za-z0-9_-]{8,64}$/.test(stored)) return stored;
    const id = fresh();
    globalThis.localStorage?.setItem('rp.device', id);
    return id;
  } catch {
    return fresh();
  }
}

function guessDevice(): DeviceKind {
  if (typeof navigator === 'undefined') return 'desktop';
  const ua = navigator.userAgent;
  if (/iPad|Tablet/i.test(ua)) return 'tablet';
  if (/Mobi|Android|iPhone/i.test(ua)) return 'phone';
  return 'desktop';
}
