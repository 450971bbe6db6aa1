/**
 * The SDK's connection: one channel at a time, re-opened after any loss with capped
 * exponential backoff and full jitter (so a restarted server is not hit by every client at
 * once), and re-opened at once when a phone comes back (`visibilitychange`, `online`,
 * `pageshow`). A watchdog notices a silent connection that the network dropped without a word.
 *
 * In 'auto' mode it tries WebSocket first, then Server-Sent Events, then long-polling: a
 * transport that does not deliver `welcome` within a few seconds, or fails three times in a
 * row, gives way to the next, and the one that works is remembered for an hour in a browser.
 * Every transport carries the same messages and ends the same way.
 *
 * A fatal end (close code 4001, or a `closing` frame that says so) ends it for good: the reason
 * tells the screen what to say.
 */
import type { ClientMessage, CloseReason, ServerMessage } from '../core/protocol.js';
import { CLOSE_FATAL, isFatalReason } from '../core/protocol.js';
import type {
  Channel,
  ChannelEnd,
  ChannelHandlers,
  FetchLike,
  TransportChoice,
  TransportKind,
} from './channel.js';
import { Emitter } from './emitter.js';
import { PollChannel } from './poll-channel.js';
import { SseChannel } from './sse-channel.js';
import { rememberTransport, rememberedTransport } from './transport-memory.js';
import { WebSocketChannel, globalWebSocketFactory } from './ws-channel.js';
import type { WebSocketFactory } from './ws-channel.js';

export { webSocketUrl } from './ws-channel.js';
export type { WebSocketFactory, WebSocketLike } from './ws-channel.js';
export type { FetchLike, TransportChoice, TransportKind } from './channel.js';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionOptions {
  /** The server's base URL, e.g. https://present.example.com. */
  baseUrl: string;
  /** Builds the hello for each attempt (it carries the resume point and fresh credentials). */
  hello(): ClientMessage | Promise<ClientMessage>;
  /**
   * 'auto' (the default) tries WebSocket, then SSE, then long-polling; 'ws', 'sse' or 'poll'
   * forces one, for tests and for support.
   */
  transport?: TransportChoice;
  /** Opens WebSockets; defaults to the global `WebSocket` (Node 20 has none: pass `ws`). */
  webSocket?: WebSocketFactory;
  /** Carries SSE and long-polling; defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** In 'auto' mode, how long an attempt may take to deliver `welcome` before the next is tried. */
  connectTimeoutMs?: number;
  /** In 'auto' mode in a browser, how long the transport that worked is remembered. */
  rememberMs?: number;
  /** First retry delay ceiling; doubles per failure up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Random source for jitter, for tests. */
  random?: () => number;
}

export interface ClosedEvent {
  reason: CloseReason | 'closed_by_client';
  fatal: boolean;
  message: string;
}

type ConnectionEvents = {
  status: [ConnectionStatus];
  message: [ServerMessage];
  closed: [ClosedEvent];
};

const DEFAULT_HEARTBEAT_MS = 15_000;
const FALLBACK_ORDER: readonly TransportKind[] = ['ws', 'sse', 'poll'];
const FAILURES_BEFORE_FALLBACK = 3;
/**
 * Messages worth sending again on the next session when the server never received them; the
 * others (pong, ack, resume) belong to the session they were meant for.
 */
const CARRIED: readonly ClientMessage['type'][] = ['change', 'takeover', 'presence'];

function globalFetch(): FetchLike | null {
  return typeof globalThis.fetch === 'function' ? (url, init) => globalThis.fetch(url, init) : null;
}

export class Connection extends Emitter<ConnectionEvents> {
  readonly #o: ConnectionOptions;
  readonly #webSocket: WebSocketFactory | null;
  readonly #fetch: FetchLike | null;
  readonly #auto: boolean;
  /** The transports to try, in order; one when forced. */
  readonly #kinds: readonly TransportKind[];
  #kindIndex = 0;
  /** Attempts on the current transport that failed before they worked. */
  #failures = 0;

  #channel: Channel | null = null;
  /** The current channel delivered `welcome`, and its frames flow; both make it work. */
  #admitted = false;
  #flowing = false;
  #settled = false;
  #dialing = 0;

  #status: ConnectionStatus = 'connecting';
  #attempt = 0;
  /** Sessions in a row the server did not know: the first is re-opened at once. */
  #lostStreak = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  #connectTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  #lastClosing: { reason: CloseReason; message: string; retry: boolean } | null = null;
  #carry: ClientMessage[] = [];
  #stopped = false;
  readonly #detach: (() => void)[] = [];

  constructor(options: ConnectionOptions) {
    super();
    this.#o = options;
    this.#webSocket = options.webSocket ?? globalWebSocketFactory();
    this.#fetch = options.fetch ?? globalFetch();
    const choice = options.transport ?? 'auto';
    const available = FALLBACK_ORDER.filter((kind) =>
      kind === 'ws' ? this.#webSocket !== null : this.#fetch !== null,
    );

    this.#auto = choice === 'auto';
    if (choice === 'auto') {
      if (available.length === 0) {
        throw new Error('Neither WebSocket nor fetch is available: pass `webSocket` or `fetch`.');
      }
      this.#kinds = available;
      const remembered = rememberedTransport();
      this.#kindIndex = remembered ? Math.max(0, available.indexOf(remembered)) : 0;
    } else {
      if (!available.includes(choice)) {
        throw new Error(
          choice === 'ws'
            ? 'No global WebSocket: pass the `webSocket` option (e.g. from the ws package).'
            : 'No global fetch: pass the `fetch` option.',
        );
      }
      this.#kinds = [choice];
    }
    this.#listenToPage();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The transport in use, or the one the next attempt will use. */
  get transport(): TransportKind {
    return this.#channel?.kind ?? this.#kinds[this.#kindIndex]!;
  }

  open(): void {
    if (this.#stopped || this.#channel) return;
    void this.#dial();
  }

  send(message: ClientMessage): boolean {
    return this.#channel?.send(message) ?? false;
  }

  /** Marks the session as admitted: the watchdog uses its beat, and held messages go out. */
  admitted(heartbeatMs: number): void {
    this.#heartbeatMs = heartbeatMs;
    this.#admitted = true;
    this.#setStatus('open');
    this.#feedWatchdog();
    this.#settle();
    const carried = this.#carry;
    this.#carry = [];
    for (const message of carried) this.send(message);
  }

  /** Ends the connection for good, from the client's side. */
  close(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimers();
    for (const detach of this.#detach) detach();
    this.#drop();
    this.#setStatus('closed');
    this.emit('closed', { reason: 'closed_by_client', fatal: true, message: '' });
  }

  /** Drops the current channel and dials again now (the page came back, the network returned). */
  reconnectNow(): void {
    if (this.#stopped) return;
    if (this.#channel && this.#status === 'open') return;
    this.#attempt = 0;
    this.#drop();
    void this.#dial();
  }

  // ------------------------------------------------------------------ dialling

  async #dial(): Promise<void> {
    if (this.#stopped) return;
    this.#clearTimers();
    if (this.#status !== 'open' && this.#attempt > 0)
      this.#setStatus(this.#offline() ? 'offline' : 'reconnecting');
    if (this.#attempt === 0 && this.#status !== 'reconnecting') this.#setStatus('connecting');

    const dialing = ++this.#dialing;
    let hello: ClientMessage;
    try {
      hello = await this.#o.hello();
    } catch {
      this.#scheduleRetry();
      return;
    }
    // Closed, or another dial started, while the hello was being built.
    if (this.#stopped || dialing !== this.#dialing) return;

    const kind = this.#kinds[this.#kindIndex]!;
    this.#lastClosing = null;
    this.#admitted = false;
    this.#flowing = false;
    this.#settled = false;

    let channel: Channel | null = null;
    const current = () => channel !== null && this.#channel === channel;
    const handlers: ChannelHandlers = {
      message: (message) => {
        if (current()) this.#receive(message);
      },
      alive: () => {
        if (current()) this.#feedWatchdog();
      },
      flowing: () => {
        if (!current()) return;
        this.#flowing = true;
        this.#settle();
      },
      ended: (end) => {
        if (current()) this.#ended(end);
      },
    };

    try {
      channel = this.#openChannel(kind, { baseUrl: this.#o.baseUrl, hello, handlers });
    } catch {
      this.#failed();
      this.#scheduleRetry();
      return;
    }
    this.#channel = channel;
    // A channel that never says a word (a connect that hangs) is given up like a silent one.
    this.#feedWatchdog();
    if (this.#auto && this.#kinds.length > 1) {
      const opened = channel;
      this.#connectTimer = setTimeout(
        () => this.#timedOut(opened),
        this.#o.connectTimeoutMs ?? 4000,
      );
    }
  }

  #openChannel(
    kind: TransportKind,
    ctx: { baseUrl: string; hello: ClientMessage; handlers: ChannelHandlers },
  ): Channel {
    switch (kind) {
      case 'ws':
        return new WebSocketChannel(ctx, this.#webSocket!);
      case 'sse':
        return new SseChannel(ctx, this.#fetch!);
      case 'poll':
        return new PollChannel(ctx, this.#fetch!);
    }
  }

  #receive(message: ServerMessage): void {
    this.#feedWatchdog();
    if (message.type === 'closing') this.#lastClosing = message;
    else if (message.type === 'ping') this.send({ type: 'pong', t: message.t });
    this.emit('message', message);
  }

  /** Admitted and flowing: the transport works. The backoff starts over; auto mode remembers. */
  #settle(): void {
    if (this.#settled || !this.#admitted || !this.#flowing) return;
    this.#settled = true;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#attempt = 0;
    this.#failures = 0;
    this.#lostStreak = 0;
    if (this.#auto) rememberTransport(this.transport, this.#o.rememberMs ?? 60 * 60_000);
  }

  #ended(end: ChannelEnd): void {
    this.#channel = null;
    this.#clearTimers();
    for (const message of end.unsent ?? []) {
      if (CARRIED.includes(message.type)) this.#carry.push(message);
    }

    const closing = this.#lastClosing;
    if (end.code === CLOSE_FATAL || (closing && !closing.retry)) {
      const fallback = end.reason && isFatalReason(end.reason) ? end.reason : null;
      this.#stopped = true;
      this.#carry = [];
      for (const detach of this.#detach) detach();
      this.#setStatus('closed');
      this.emit('closed', {
        reason: closing?.reason ?? fallback ?? 'protocol_error',
        fatal: true,
        message: closing?.message ?? '',
      });
      return;
    }

    if (!this.#settled) this.#failed();
    // The server no longer knows the session (another node answered, or this one restarted):
    // a new session resumes at once. Only a run of them backs off.
    if (end.lost && this.#lostStreak++ === 0) {
      this.#setStatus(this.#offline() ? 'offline' : 'reconnecting');
      void this.#dial();
      return;
    }
    this.#scheduleRetry();
  }

  /** Auto mode: this attempt took too long to work; the next transport gets its turn now. */
  #timedOut(channel: Channel): void {
    if (this.#channel !== channel || this.#settled) return;
    this.#drop();
    if (!this.#offline()) this.#advance();
    if (this.#status === 'open') this.#setStatus(this.#offline() ? 'offline' : 'reconnecting');
    void this.#dial();
  }

  /**
   * Counts a failed attempt against the transport. Not while the device is offline: then every
   * transport fails, and a phone that lost its signal for a few seconds would otherwise come
   * back on long-polling and stay there.
   */
  #failed(): void {
    if (!this.#auto || this.#kinds.length < 2 || this.#offline()) return;
    if (++this.#failures >= FAILURES_BEFORE_FALLBACK) this.#advance();
  }

  /**
   * The next transport. After the last comes the first again: when a server was down every
   * transport failed, and WebSocket should have its chance once it is back.
   */
  #advance(): void {
    this.#kindIndex = (this.#kindIndex + 1) % this.#kinds.length;
    this.#failures = 0;
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    this.#setStatus(this.#offline() ? 'offline' : 'reconnecting');
    const base = this.#o.baseDelayMs ?? 500;
    const max = this.#o.maxDelayMs ?? 15_000;
    const ceiling = Math.min(max, base * 2 ** this.#attempt);
    this.#attempt++;
    const delay = Math.floor((this.#o.random ?? Math.random)() * ceiling);
    this.#retryTimer = setTimeout(() => void this.#dial(), delay);
  }

  /** Two missed heartbeats plus slack: the link is dead even if the channel has not said so. */
  #feedWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => {
        const settled = this.#settled;
        this.#drop();
        if (!settled) this.#failed();
        this.#scheduleRetry();
      },
      this.#heartbeatMs * 2 + 5000,
    );
  }

  #drop(): void {
    const channel = this.#channel;
    this.#channel = null;
    channel?.close();
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#retryTimer = null;
    this.#watchdog = null;
    this.#connectTimer = null;
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.emit('status', status);
  }

  #offline(): boolean {
    return typeof navigator !== 'undefined' && navigator.onLine === false;
  }

  /** Phones freeze and background pages; these events are the moments to check the line. */
  #listenToPage(): void {
    if (typeof window === 'undefined' || typeof document === 'undefined') return;
    const onVisible = () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    };
    const onOnline = () => this.reconnectNow();
    // The device lost its network: an open channel can no longer be trusted (its frames may
    // be held indefinitely), so drop it now and say so, rather than wait for the watchdog.
    // `online` reconnects at once; the retry covers browsers that never fire it.
    const onOffline = () => {
      if (this.#stopped) return;
      this.#drop();
      this.#clearTimers();
      this.#scheduleRetry();
    };
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) this.reconnectNow();
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    window.addEventListener('pageshow', onPageShow);
    this.#detach.push(
      () => document.removeEventListener('visibilitychange', onVisible),
      () => window.removeEventListener('online', onOnline),
      () => window.removeEventListener('offline', onOffline),
      () => window.removeEventListener('pageshow', onPageShow),
    );
  }
}
