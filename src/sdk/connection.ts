/**
 * The SDK's connection: one WebSocket at a time, re-opened after any loss with capped
 * exponential backoff and full jitter (so a restarted server is not hit by every client at
 * once), and re-opened at once when a phone comes back (`visibilitychange`, `online`,
 * `pageshow`). A watchdog notices a silent connection that the network dropped without a word.
 *
 * A fatal close (code 4001 or a `closing` frame that says so) ends it for good: the reason tells
 * the screen what to say.
 */
import type { ClientMessage, CloseReason, ServerMessage } from '../core/protocol.js';
import { CLOSE_FATAL, WS_SUBPROTOCOL, isFatalReason } from '../core/protocol.js';
import { Emitter } from './emitter.js';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** The part of the WebSocket API the SDK uses: browsers' and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface ConnectionOptions {
  /** The server's base URL, e.g. https://present.example.com. */
  baseUrl: string;
  /** Builds the hello for each attempt (it carries the resume point and fresh credentials). */
  hello(): ClientMessage | Promise<ClientMessage>;
  webSocket?: WebSocketFactory;
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

const OPEN = 1;
const DEFAULT_HEARTBEAT_MS = 15_000;

function defaultFactory(): WebSocketFactory {
  const Ctor = (
    globalThis as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }
  ).WebSocket;
  if (!Ctor) {
    throw new Error('No global WebSocket: pass the `webSocket` option (e.g. from the ws package).');
  }
  return (url, protocols) => new Ctor(url, protocols);
}

export function webSocketUrl(baseUrl: string): string {
  const url = new URL('/ws', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class Connection extends Emitter<ConnectionEvents> {
  readonly #o: ConnectionOptions;
  readonly #factory: WebSocketFactory;
  #socket: WebSocketLike | null = null;
  #status: ConnectionStatus = 'connecting';
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  #lastClosing: { reason: CloseReason; message: string; retry: boolean } | null = null;
  #stopped = false;
  readonly #detach: (() => void)[] = [];

  constructor(options: ConnectionOptions) {
    super();
    this.#o = options;
    this.#factory = options.webSocket ?? defaultFactory();
    this.#listenToPage();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  open(): void {
    if (this.#stopped || this.#socket) return;
    void this.#dial();
  }

  send(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Marks the session as admitted: the backoff starts over and the watchdog uses its beat. */
  admitted(heartbeatMs: number): void {
    this.#attempt = 0;
    this.#heartbeatMs = heartbeatMs;
    this.#setStatus('open');
    this.#feedWatchdog();
  }

  /** Ends the connection for good, from the client's side. */
  close(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimers();
    for (const detach of this.#detach) detach();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'client closed');
    }
    this.#setStatus('closed');
    this.emit('closed', { reason: 'closed_by_client', fatal: true, message: '' });
  }

  /** Drops the current socket and dials again now (the page came back, the network returned). */
  reconnectNow(): void {
    if (this.#stopped) return;
    if (this.#socket && this.#socket.readyState === OPEN && this.#status === 'open') return;
    this.#attempt = 0;
    this.#drop();
    void this.#dial();
  }

  async #dial(): Promise<void> {
    if (this.#stopped) return;
    this.#clearTimers();
    if (this.#status !== 'open' && this.#attempt > 0)
      this.#setStatus(this.#offline() ? 'offline' : 'reconnecting');
    if (this.#attempt === 0 && this.#status !== 'reconnecting') this.#setStatus('connecting');

    let hello: ClientMessage;
    try {
      hello = await this.#o.hello();
    } catch {
      this.#scheduleRetry();
      return;
    }
    if (this.#stopped) return;

    let socket: WebSocketLike;
    try {
      socket = this.#factory(webSocketUrl(this.#o.baseUrl), [WS_SUBPROTOCOL]);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#lastClosing = null;

    socket.onopen = () => {
      socket.send(JSON.stringify(hello));
      this.#feedWatchdog();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#feedWatchdog();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'closing') this.#lastClosing = message;
      else if (message.type === 'ping') this.send({ type: 'pong', t: message.t });
      this.emit('message', message);
    };
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#clearTimers();
      const closing = this.#lastClosing;
      const reason = closing?.reason ?? (isFatalReason(event.reason) ? event.reason : null);
      if (event.code === CLOSE_FATAL || (closing && !closing.retry)) {
        this.#stopped = true;
        for (const detach of this.#detach) detach();
        this.#setStatus('closed');
        this.emit('closed', {
          reason: reason ?? 'protocol_error',
          fatal: true,
          message: closing?.message ?? '',
        });
        return;
      }
      this.#scheduleRetry();
    };
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

  /** Two missed heartbeats plus slack: the link is dead even if the socket has not said so. */
  #feedWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => {
        this.#drop();
        this.#scheduleRetry();
      },
      this.#heartbeatMs * 2 + 5000,
    );
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(4000, 'client reconnecting');
      } catch {
        // Closing a socket that never opened may throw in some browsers; it is gone either way.
      }
    }
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#retryTimer = null;
    this.#watchdog = null;
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
    const onOffline = () => {
      if (this.#status !== 'open') this.#setStatus('offline');
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
