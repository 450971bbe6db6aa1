/**
 * The WebSocket transport (`ws`). Upgrades are checked before the handshake completes: the
 * path, the Origin against the allow-list (a foreign page must not ride an agent's cookie into
 * a socket), and the per-address connection cap. Frames over the limit close with 1009;
 * compression is off, so a small frame cannot inflate into a large one.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import {
  CLOSE_FATAL,
  CLOSE_RETRY,
  MAX_FRAME_BYTES,
  WS_SUBPROTOCOL,
  isFatalReason,
} from '../../core/protocol.js';
import type { CloseReason } from '../../core/protocol.js';
import { ERRORS } from '../../core/errors.js';
import { SESSION_COOKIE, readCookie } from '../agents/auth.js';
import type { AgentAuth } from '../agents/auth.js';
import { newId } from '../links/tokens.js';
import { closeMessage } from './close-messages.js';
import type { Realtime } from './realtime.js';
import { ProtocolSession } from './session.js';
import type { Connection } from './session.js';

export const WS_PATH = '/ws';

/** How long a closing socket may take to finish the close handshake before it is cut. */
const CLOSE_GRACE_MS = 2000;

export interface WsTransportOptions {
  realtime: Realtime;
  auth: AgentAuth;
  isOriginAllowed(origin: string, req: IncomingMessage): boolean;
  clientAddress(req: IncomingMessage): string;
  maxConnectionsPerAddress: number;
}

export class WsTransport {
  readonly #wss: WebSocketServer;
  readonly #o: WsTransportOptions;
  readonly #perAddress = new Map<string, number>();

  constructor(options: WsTransportOptions) {
    this.#o = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return reject(socket, 404, 'not_found');

    const origin = req.headers.origin;
    if (origin !== undefined && !this.#o.isOriginAllowed(origin, req)) {
      return reject(socket, 403, 'origin_not_allowed');
    }
    if (this.#o.realtime.draining) return reject(socket, 503, 'shutting_down');

    const address = this.#o.clientAddress(req);
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= this.#o.maxConnectionsPerAddress) return reject(socket, 429, 'rate_limited');

    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
      ws.once('close', () => {
        const left = (this.#perAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.#perAddress.delete(address);
        else this.#perAddress.set(address, left);
      });
      this.#accept(ws, req, address);
    });
  }

  #accept(ws: WebSocket, req: IncomingMessage, address: string): void {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    const connection = new WsConnection(ws, address);
    const session = new ProtocolSession({
      connection,
      realtime: this.#o.realtime,
      auth: this.#o.auth,
      cookieIdentity: () => this.#o.auth.fromCookie(cookie),
    });

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        connection.close('protocol_error', 'Frames must be text.');
        return;
      }
      session.receive(data.toString());
    });
    ws.on('close', () => session.closed());
    // `ws` reports protocol violations (oversized frames, bad fragments) here and closes the
    // socket itself with the fitting code; nothing more to do than not crash.
    ws.on('error', () => undefined);
  }

  close(): void {
    this.#wss.close();
  }
}

class WsConnection implements Connection {
  readonly connectionId = newId('c');
  readonly transport = 'ws' as const;
  readonly #ws: WebSocket;
  readonly remoteAddress: string;
  #closing = false;

  constructor(ws: WebSocket, remoteAddress: string) {
    this.#ws = ws;
    this.remoteAddress = remoteAddress;
  }

  send(frame: string): void {
    if (this.#ws.readyState === this.#ws.OPEN && !this.#closing) this.#ws.send(frame);
  }

  buffered(): number {
    return this.#ws.bufferedAmount;
  }

  close(reason: CloseReason, message?: string): void {
    if (this.#closing) return;
    const fatal = isFatalReason(reason);
    const text = message ?? closeMessage(reason);
    this.send(JSON.stringify({ type: 'closing', reason, retry: !fatal, message: text }));
    this.#closing = true;
    if (this.#ws.readyState === this.#ws.OPEN)
      this.#ws.close(fatal ? CLOSE_FATAL : CLOSE_RETRY, reason);
    const timer = setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    this.#ws.once('close', () => clearTimeout(timer));
  }
}

/** Refuses an upgrade with a plain HTTP answer; the socket never becomes a WebSocket. */
function reject(socket: Duplex, status: number, code: keyof typeof ERRORS): void {
  const body = JSON.stringify({ error: { code, message: ERRORS[code].message } });
  const reasons: Record<number, string> = {
    403: 'Forbidden',
    404: 'Not Found',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
