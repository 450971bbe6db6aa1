/**
 * Helpers for running the protocol over every transport: SDK clients forced onto one, raw
 * protocol clients over SSE and long-polling that record every frame, extra nodes offering a
 * chosen set of transports, and a proxy that plays a load balancer without sticky sessions.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

import pino from 'pino';
import { vi } from 'vitest';

import { CLOSE_FATAL, PROTOCOL_VERSION } from '../../src/core/protocol.js';
import type { ClientMessage, ServerMessage, TransportKind } from '../../src/core/protocol.js';
import { startServer } from '../../src/server/app.js';
import type { RunningServer } from '../../src/server/app.js';
import { PresenterClient, ViewerClient } from '../../src/sdk/index.js';
import type {
  FetchLike,
  PresenterOptions,
  TransportChoice,
  ViewerOptions,
  WebSocketFactory,
} from '../../src/sdk/index.js';
import { SseParser } from '../../src/sdk/sse-parser.js';
import { RawClient, wsFactory } from './harness.js';
import type { Agent, Harness } from './harness.js';

export const TRANSPORTS: TransportKind[] = ['ws', 'sse', 'poll'];
export const HTTP_TRANSPORTS: ('sse' | 'poll')[] = ['sse', 'poll'];

/** Counts how often a client dialled, per transport: reconnects show up here. */
export class Dials {
  ws = 0;
  http = 0;
}

/** A `fetch` for the SDK that sends the given headers (cookie, origin), as a browser would. */
export function fetchWith(headers: Record<string, string>, dials?: Dials): FetchLike {
  return (url, init) => {
    if (dials && init.method === 'POST' && new URL(url).pathname === '/rt/sessions') dials.http++;
    return fetch(url, { ...init, headers: { ...headers, ...(init.headers as object) } });
  };
}

function countingWs(factory: WebSocketFactory, dials?: Dials): WebSocketFactory {
  return (url, protocols) => {
    if (dials) dials.ws++;
    return factory(url, protocols);
  };
}

export interface ClientExtras {
  baseUrl?: string;
  dials?: Dials;
  webSocket?: WebSocketFactory;
  connectTimeoutMs?: number;
}

export function viewerOver(
  h: Harness,
  token: string,
  transport: TransportChoice,
  extra: ClientExtras & Partial<Pick<ViewerOptions, 'deviceId' | 'initial'>> = {},
): ViewerClient {
  const baseUrl = extra.baseUrl ?? h.url;
  const headers = { origin: baseUrl };
  const options: ViewerOptions = {
    baseUrl,
    token,
    deviceId: extra.deviceId ?? `dev${randomBytes(6).toString('hex')}`,
    device: 'phone',
    transport,
    webSocket: countingWs(extra.webSocket ?? wsFactory(headers), extra.dials),
    fetch: fetchWith(headers, extra.dials),
    baseDelayMs: 20,
    maxDelayMs: 200,
  };
  if (extra.initial) options.initial = extra.initial;
  if (extra.connectTimeoutMs !== undefined) options.connectTimeoutMs = extra.connectTimeoutMs;
  return new ViewerClient(options);
}

export function presenterOver(
  h: Harness,
  agent: Agent,
  presentationId: string,
  transport: TransportChoice,
  extra: ClientExtras & { takeover?: boolean } = {},
): PresenterClient {
  const baseUrl = extra.baseUrl ?? h.url;
  const headers = { origin: baseUrl, cookie: agent.cookie };
  const options: PresenterOptions = {
    baseUrl,
    presentationId,
    transport,
    takeover: extra.takeover ?? false,
    webSocket: countingWs(extra.webSocket ?? wsFactory(headers), extra.dials),
    fetch: fetchWith(headers, extra.dials),
    baseDelayMs: 20,
    maxDelayMs: 200,
  };
  if (extra.connectTimeoutMs !== undefined) options.connectTimeoutMs = extra.connectTimeoutMs;
  return new PresenterClient(options);
}

// ------------------------------------------------------------------ raw protocol clients

/** How a raw client's session ended: by a `closing` frame (HTTP) or a close code (WebSocket). */
export interface RawEnd {
  fatal: boolean;
  reason: string;
}

/** The surface protocol tests need, whichever transport carries the frames. */
export interface RawPeer {
  readonly transport: TransportKind;
  readonly frames: ServerMessage[];
  send(message: ClientMessage | Record<string, unknown>): void;
  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[];
  waitFor<T extends ServerMessage['type']>(
    type: T,
    count?: number,
  ): Promise<Extract<ServerMessage, { type: T }>[]>;
  waitClosed(): Promise<RawEnd>;
  close(): void;
}

abstract class RecordingPeer {
  abstract readonly frames: ServerMessage[];

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.frames.filter((f) => f.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  async waitFor<T extends ServerMessage['type']>(
    type: T,
    count = 1,
  ): Promise<Extract<ServerMessage, { type: T }>[]> {
    return vi.waitFor(
      () => {
        const found = this.of(type);
        if (found.length < count)
          throw new Error(`waiting for ${count} ${type}, have ${found.length}`);
        return found;
      },
      { timeout: 5000, interval: 5 },
    );
  }
}

class RawWsPeer extends RecordingPeer implements RawPeer {
  readonly transport = 'ws' as const;
  readonly #client: RawClient;

  constructor(client: RawClient) {
    super();
    this.#client = client;
  }

  get frames(): ServerMessage[] {
    return this.#client.frames;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.#client.send(message);
  }

  async waitClosed(): Promise<RawEnd> {
    const { code, reason } = await this.#client.waitClosed();
    return { fatal: code === CLOSE_FATAL, reason };
  }

  close(): void {
    this.#client.close();
  }
}

/**
 * A protocol client over SSE or long-polling, written against the wire rather than the SDK:
 * it opens a session with the first message, follows the frames by cursor, and posts
 * messages one request at a time, in order.
 */
export class RawHttpPeer extends RecordingPeer implements RawPeer {
  readonly frames: ServerMessage[] = [];
  readonly transport: 'sse' | 'poll';
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  sid = '';
  key = '';
  cursor = 0;
  ended: RawEnd | null = null;
  /** Status of the last request that failed to continue the session (404 when it was lost). */
  lostWith: number | null = null;
  readonly #abort = new AbortController();
  #sending: Promise<unknown> = Promise.resolve();

  constructor(baseUrl: string, transport: 'sse' | 'poll', headers: Record<string, string>) {
    super();
    this.baseUrl = baseUrl;
    this.transport = transport;
    this.headers = headers;
  }

  /** Opens the session; the answer's status and body, for tests of refusals. */
  async open(first: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.baseUrl}/rt/sessions`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ transport: this.transport, hello: first }),
    });
    const body = (await res.json()) as {
      sid: string;
      key: string;
      cursor: number;
      frames: ServerMessage[];
    };
    if (res.status !== 201) return { status: res.status, body };
    this.sid = body.sid;
    this.key = body.key;
    this.#record(body.frames, body.cursor);
    if (!this.ended) void this.#follow();
    return { status: res.status, body };
  }

  get auth(): Record<string, string> {
    return { ...this.headers, authorization: `Bearer ${this.key}` };
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.#sending = this.#sending.then(() => this.post([message]));
  }

  /** Posts messages now; resolves with the answer's status. */
  async post(messages: unknown[]): Promise<number> {
    const res = await fetch(`${this.baseUrl}/rt/sessions/${this.sid}/messages`, {
      method: 'POST',
      headers: { ...this.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async waitClosed(): Promise<RawEnd> {
    return vi.waitFor(
      () => {
        if (!this.ended) throw new Error('still open');
        return this.ended;
      },
      { timeout: 5000, interval: 5 },
    );
  }

  close(): void {
    this.#abort.abort();
  }

  #record(frames: ServerMessage[], cursor: number): void {
    this.cursor = cursor;
    for (const frame of frames) {
      this.frames.push(frame);
      if (frame.type === 'closing') this.ended = { fatal: !frame.retry, reason: frame.reason };
    }
  }

  async #follow(): Promise<void> {
    try {
      while (!this.ended && !this.#abort.signal.aborted) {
        const path = this.transport === 'sse' ? 'events' : 'poll';
        const res = await fetch(
          `${this.baseUrl}/rt/sessions/${this.sid}/${path}?after=${this.cursor}`,
          { headers: this.auth, signal: this.#abort.signal },
        );
        if (res.status !== 200) {
          this.lostWith = res.status;
          await res.arrayBuffer();
          return;
        }
        if (this.transport === 'poll') {
          const batch = (await res.json()) as { cursor: number; frames: ServerMessage[] };
          this.#record(batch.frames, batch.cursor);
          continue;
        }
        const parser = new SseParser();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.push(chunk, (event) =>
            this.#record([JSON.parse(event.data) as ServerMessage], Number(event.id)),
          );
        }
      }
    } catch {
      // Aborted by close(), or the server went away.
    }
  }
}

/** Opens a raw session over `transport` whose first message is `first`. */
export async function rawOpen(
  h: Harness,
  transport: TransportKind,
  first: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<RawPeer> {
  const all = { origin: h.origin, ...headers };
  if (transport === 'ws') {
    const client = new RawClient(h.url, all);
    await client.opened;
    client.send(first);
    return new RawWsPeer(client);
  }
  const peer = new RawHttpPeer(h.url, transport, all);
  const { status } = await peer.open(first);
  if (status !== 201) throw new Error(`opening a ${transport} session failed: ${status}`);
  return peer;
}

export function rawViewerOver(
  h: Harness,
  token: string,
  transport: TransportKind,
  extra: Partial<{ resumeFrom: number; deviceId: string; v: number }> = {},
): Promise<RawPeer> {
  return rawOpen(h, transport, {
    type: 'hello',
    v: extra.v ?? PROTOCOL_VERSION,
    role: 'viewer',
    token,
    deviceId: extra.deviceId ?? `dev${randomBytes(6).toString('hex')}`,
    device: 'phone',
    ...(extra.resumeFrom === undefined ? {} : { resumeFrom: extra.resumeFrom }),
  });
}

export function rawPresenterOver(
  h: Harness,
  agent: Agent,
  presentationId: string,
  transport: TransportKind,
): Promise<RawPeer> {
  return rawOpen(
    h,
    transport,
    { type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', presentationId },
    { cookie: agent.cookie },
  );
}

// ------------------------------------------------------------------ nodes and a proxy

/**
 * Closes a harness without waiting on sockets a client connected and never used: after an
 * aborted request Node's fetch may leave one, and the server's graceful close would wait for
 * its header timeout. Sessions have been told to go by then; only the sockets are cut.
 */
export async function closeHarness(h: Harness): Promise<void> {
  const cut = setTimeout(() => h.server.app.server.closeAllConnections(), 200);
  try {
    await h.close();
  } finally {
    clearTimeout(cut);
  }
}

/** Another node on the harness's store and clock, offering only the given transports. */
export async function startNode(
  h: Harness,
  transports: TransportKind[],
): Promise<{ url: string; server: RunningServer; close(): Promise<void> }> {
  const server = await startServer({
    config: { ...h.server.config, port: 0 },
    clock: h.clock,
    store: h.store,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    transports,
  });
  return {
    url: server.url,
    server,
    close: async () => {
      const cut = setTimeout(() => server.app.server.closeAllConnections(), 200);
      await server.close();
      clearTimeout(cut);
    },
  };
}

export interface Proxy {
  url: string;
  /** Status codes of the answers it relayed, by request path without the query. */
  readonly answers: { path: string; status: number }[];
  /** Sends every later request to another node, as a load balancer without stickiness may. */
  switchTo(target: string): void;
  /** Cuts every open connection: streams and held polls break mid-way. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** A plain HTTP proxy that refuses WebSocket upgrades, as some corporate proxies do. */
export async function startProxy(target: string): Promise<Proxy> {
  let upstream = new URL(target);
  const sockets = new Set<Socket>();
  const answers: { path: string; status: number }[] = [];

  const server = http.createServer((req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        answers.push({ path: (req.url ?? '').split('?')[0]!, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (_req, socket: Socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    switchTo(next) {
      upstream = new URL(next);
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A WebSocket that never opens: a proxy that swallows the upgrade and says nothing. */
export const silentWebSocket: WebSocketFactory = () => ({
  readyState: 0,
  send: () => undefined,
  close: () => undefined,
  onopen: null,
  onmessage: null,
  onclose: null,
  onerror: null,
});

/** A localStorage stand-in for Node, for the transport memory. */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}
