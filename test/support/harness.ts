/**
 * Starts real servers for integration tests, on SQLite or on PostgreSQL, and gives tests the
 * clients they need: signed-in agents, raw protocol sockets that record every frame, and the
 * SDK's clients wired to Node's `ws`.
 */
import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { vi } from 'vitest';
import WebSocket from 'ws';

import { CLOSE_FATAL, PROTOCOL_VERSION, WS_SUBPROTOCOL } from '../../src/core/protocol.js';
import type { ClientMessage, ServerMessage } from '../../src/core/protocol.js';
import type { ViewState } from '../../src/core/view-state.js';
import { startServer } from '../../src/server/app.js';
import type { RunningServer } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { dropPgSchema, openStore } from '../../src/server/storage/open.js';
import type { Store } from '../../src/server/storage/store.js';
import { PresenterClient, ViewerClient } from '../../src/sdk/index.js';
import type { WebSocketFactory, WebSocketLike } from '../../src/sdk/index.js';
import { ManualClock } from './clock.js';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  drop(): Promise<void>;
}

export async function openTestStore(backend: Backend, dataDir = ':memory:'): Promise<TestStore> {
  if (backend === 'sqlite') {
    const store = await openStore({ dataDir });
    return { store, drop: async () => store.close() };
  }
  const schema = `it_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = await openStore({ databaseUrl: PG_URL, dataDir: ':memory:', pgSchema: schema });
  return {
    store,
    drop: async () => {
      await store.close();
      await dropPgSchema(PG_URL, schema);
    },
  };
}

export interface Harness {
  server: RunningServer;
  clock: ManualClock;
  url: string;
  origin: string;
  store: Store;
  /** Signs in a demo agent and returns its cookie and CSRF token. */
  login(email?: string): Promise<Agent>;
  close(): Promise<void>;
}

export interface Agent {
  cookie: string;
  csrf: string;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  createPresentation(options?: {
    lifetimeMinutes?: number;
    state?: ViewState;
  }): Promise<{ id: string; token: string; url: string }>;
}

export async function startHarness(
  backend: Backend,
  env: Record<string, string> = {},
  options: { store?: TestStore; clock?: ManualClock } = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock();
  const testStore = options.store ?? (await openTestStore(backend));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    PRESENTER_TOKEN_SECRET: 'integration-secret-integration-secret-0123',
    ...env,
  });
  const server = await startServer({
    config,
    clock,
    store: testStore.store,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const url = server.url;

  async function login(email = 'anna@demo.local'): Promise<Agent> {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password' }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await res.json()) as { csrfToken: string };

    const api = async <T>(method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    };

    return {
      cookie,
      csrf: csrfToken,
      api,
      async createPresentation(opts = {}) {
        const res = await api<{ presentation: { id: string }; link: { url: string } }>(
          'POST',
          '/api/v1/presentations',
          { buyer: { name: 'Иван Петров', contact: '+7 916 000-00-00' }, ...opts },
        );
        if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
        const link = res.body.link.url;
        return { id: res.body.presentation.id, token: link.split('/p/')[1] ?? '', url: link };
      },
    };
  }

  return {
    server,
    clock,
    url,
    origin: url,
    store: testStore.store,
    login,
    async close() {
      await server.close();
      if (!options.store) await testStore.drop();
    },
  };
}

/** A `ws` factory for the SDK that sends the given headers (cookie, origin). */
export function wsFactory(headers: Record<string, string> = {}): WebSocketFactory {
  return (url, protocols) => new WebSocket(url, protocols, { headers }) as unknown as WebSocketLike;
}

export function presenterFor(
  h: Harness,
  agent: Agent,
  id: string,
  takeover = false,
): PresenterClient {
  return new PresenterClient({
    baseUrl: h.url,
    presentationId: id,
    takeover,
    webSocket: wsFactory({ cookie: agent.cookie, origin: h.origin }),
    baseDelayMs: 20,
    maxDelayMs: 200,
  });
}

export function viewerFor(h: Harness, token: string, deviceId?: string): ViewerClient {
  return new ViewerClient({
    baseUrl: h.url,
    token,
    deviceId: deviceId ?? `dev${randomBytes(6).toString('hex')}`,
    device: 'phone',
    webSocket: wsFactory({ origin: h.origin }),
    baseDelayMs: 20,
    maxDelayMs: 200,
  });
}

/** A raw protocol socket that records every frame it receives, for protocol-level rules. */
export class RawClient {
  readonly frames: ServerMessage[] = [];
  readonly texts: string[] = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, [WS_SUBPROTOCOL], { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.texts.push(text);
      this.frames.push(JSON.parse(text) as ServerMessage);
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    this.ws.on('error', () => undefined);
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

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

  async waitClosed(): Promise<{ code: number; reason: string }> {
    return vi.waitFor(
      () => {
        if (this.closeCode === null) throw new Error('still open');
        return { code: this.closeCode, reason: this.closeReason };
      },
      { timeout: 5000, interval: 5 },
    );
  }

  close(): void {
    this.ws.close();
  }
}

export async function rawViewer(
  h: Harness,
  token: string,
  extra: Partial<{ resumeFrom: number; deviceId: string; v: number }> = {},
): Promise<RawClient> {
  const client = new RawClient(h.url, { origin: h.origin });
  await client.opened;
  client.send({
    type: 'hello',
    v: extra.v ?? PROTOCOL_VERSION,
    role: 'viewer',
    token,
    deviceId: extra.deviceId ?? `dev${randomBytes(6).toString('hex')}`,
    device: 'phone',
    ...(extra.resumeFrom === undefined ? {} : { resumeFrom: extra.resumeFrom }),
  });
  return client;
}

export async function rawPresenter(
  h: Harness,
  agent: Agent,
  presentationId: string,
  extra: Partial<{ resumeFrom: number; takeover: boolean }> = {},
): Promise<RawClient> {
  const client = new RawClient(h.url, { origin: h.origin, cookie: agent.cookie });
  await client.opened;
  client.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', presentationId, ...extra });
  return client;
}

export async function until<T>(fn: () => T | Promise<T>, timeout = 5000): Promise<T> {
  return vi.waitFor(fn, { timeout, interval: 5 });
}

export function expectFatal(client: RawClient, reason: string): void {
  if (client.closeCode !== CLOSE_FATAL || client.closeReason !== reason) {
    throw new Error(
      `expected fatal close ${reason}, got ${client.closeCode} ${client.closeReason}`,
    );
  }
}
