/** The protocol over one WebSocket: the hello goes first, then JSON text frames both ways. */
import { WS_SUBPROTOCOL } from '../core/protocol.js';
import type { ClientMessage } from '../core/protocol.js';
import { parseFrame } from './channel.js';
import type { Channel, ChannelContext } from './channel.js';

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

const OPEN = 1;

/** The browser's WebSocket, when there is one (Node 20 has none: pass the `ws` package). */
export function globalWebSocketFactory(): WebSocketFactory | null {
  const Ctor = (
    globalThis as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }
  ).WebSocket;
  return Ctor ? (url, protocols) => new Ctor(url, protocols) : null;
}

export function webSocketUrl(baseUrl: string): string {
  const url = new URL('/ws', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class WebSocketChannel implements Channel {
  readonly kind = 'ws' as const;
  readonly #socket: WebSocketLike;
  #done = false;

  /** Throws when the factory does (a malformed URL, a blocked scheme). */
  constructor(ctx: ChannelContext, factory: WebSocketFactory) {
    const { handlers } = ctx;
    const socket = factory(webSocketUrl(ctx.baseUrl), [WS_SUBPROTOCOL]);
    this.#socket = socket;

    socket.onopen = () => {
      socket.send(JSON.stringify(ctx.hello));
      handlers.flowing();
      handlers.alive();
    };
    socket.onmessage = (event) => {
      if (this.#done) return;
      handlers.alive();
      const message = parseFrame(String(event.data));
      if (message) handlers.message(message);
    };
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      if (this.#done) return;
      this.#done = true;
      handlers.ended({ code: event.code, reason: event.reason });
    };
  }

  send(message: ClientMessage): boolean {
    if (this.#done || this.#socket.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    if (this.#done) return;
    this.#done = true;
    const socket = this.#socket;
    socket.onclose = null;
    socket.onmessage = null;
    try {
      socket.close(1000, 'client closed');
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is gone either way.
    }
  }
}
