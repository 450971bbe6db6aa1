/**
 * Hostile input over HTTP and the WebSocket transport: junk links, secrets that must not leak,
 * expired sessions, oversized and fragmented frames, header floods, slow clients, and floods of
 * connections and messages. Each test names the attack and what the server must do, citing the
 * rules of docs/SPEC.md where one applies. No result depends on the wall clock: the servers run
 * on a manual clock, and every loop is bounded in count.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import pino from 'pino';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { PROTOCOL_VERSION, WS_SUBPROTOCOL } from '../src/core/protocol.js';
import { startServer } from '../src/server/app.js';
import type { RunningServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { hashToken } from '../src/server/links/tokens.js';
import { SQLITE_FILE_NAME, openStore } from '../src/server/storage/open.js';
import type { Store } from '../src/server/storage/store.js';
import { ManualClock } from './support/clock.js';
import { RawClient, expectFatal, until } from './support/harness.js';
import { captureLogs } from './support/log-capture.js';

// ---------------------------------------------------------------- a node and an agent

interface TestNode {
  server: RunningServer;
  url: string;
  port: number;
  clock: ManualClock;
  close(): Promise<void>;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

let templates: string | undefined;
/**
 * A private copy of the built viewer page, so a rebuild of dist/ by a parallel job cannot
 * change the bodies these tests compare.
 */
function screensDir(): string {
  if (templates) return templates;
  templates = mkdtempSync(join(tmpdir(), 'rp-screens-'));
  scratch.push(templates);
  const built = join('dist', 'screens', 'viewer', 'index.html');
  if (existsSync(built)) {
    mkdirSync(join(templates, 'viewer'));
    copyFileSync(built, join(templates, 'viewer', 'index.html'));
  }
  return templates;
}

async function startNode(
  env: Record<string, string> = {},
  options: { store?: Store; logger?: Logger; headersTimeoutMs?: number } = {},
): Promise<TestNode> {
  const clock = new ManualClock();
  const store = options.store ?? (await openStore({ dataDir: ':memory:' }));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    HEARTBEAT_SECONDS: '300',
    ...env,
  });
  const server = await startServer({
    config,
    clock,
    store,
    screensDir: screensDir(),
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.headersTimeoutMs === undefined
      ? {}
      : { headersTimeoutMs: options.headersTimeoutMs }),
  });
  return {
    server,
    url: server.url,
    port: Number(new URL(server.url).port),
    clock,
    async close() {
      await server.close();
      if (!options.store) await store.close();
    },
  };
}

interface Signed {
  cookie: string;
  api<T = { error: { code: string } }>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }>;
  create(lifetimeMinutes?: number): Promise<{ id: string; token: string }>;
}

async function signIn(url: string): Promise<Signed> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'anna@demo.local', password: 'demo-password' }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };

  const api: Signed['api'] = async (method, path, body) => {
    const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as never, text };
  };

  return {
    cookie,
    api,
    async create(lifetimeMinutes) {
      const res = await api<{ presentation: { id: string }; link: { url: string } }>(
        'POST',
        '/api/v1/presentations',
        { buyer: { name: 'Buyer', contact: 'buyer@example.com' }, lifetimeMinutes },
      );
      expect(res.status).toBe(201);
      return { id: res.body.presentation.id, token: res.body.link.url.split('/p/')[1]! };
    },
  };
}

async function viewerAt(node: TestNode, token: string): Promise<RawClient> {
  const client = new RawClient(node.url, { origin: node.url });
  await client.opened;
  client.send({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'viewer',
    token,
    deviceId: `dev${randomBytes(6).toString('hex')}`,
    device: 'phone',
  });
  return client;
}

async function presenterAt(node: TestNode, agent: Signed, id: string): Promise<RawClient> {
  const client = new RawClient(node.url, { origin: node.url, cookie: agent.cookie });
  await client.opened;
  client.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', presentationId: id });
  return client;
}

// ---------------------------------------------------------------- raw HTTP and frames

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 8 });
afterAll(() => keepAlive.destroy());

/** A GET with the path sent exactly as given (fetch would normalise dots and escapes). */
function get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes bytes on a fresh TCP connection and reads until the server closes it (or 5 s). */
function exchange(port: number, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(data);
  });
}

function upgradeRequest(node: TestNode, extraHeaders = ''): string {
  return (
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${node.port}\r\nOrigin: ${node.url}\r\n` +
    'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${WS_SUBPROTOCOL}\r\n` +
    `${extraHeaders}\r\n`
  );
}

/** One client frame, masked as RFC 6455 requires of clients. */
function clientFrame(opcode: number, payload: Buffer, fin: boolean): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | length])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, length >> 8, length & 0xff]);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Server frames are unmasked; returns the complete ones in `buffer`. */
function parseFrames(buffer: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= buffer.length) {
    const opcode = buffer[at]! & 0x0f;
    let length = buffer[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > buffer.length) break;
      length = buffer.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > buffer.length) break;
      length = Number(buffer.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > buffer.length) break;
    frames.push({ opcode, payload: buffer.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

/** A WebSocket opened by hand on a raw TCP socket, for frames `ws` would never send. */
class HandRolledSocket {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #status: string | null = null;
  closed = false;

  constructor(node: TestNode) {
    this.socket = connect(node.port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      if (this.#status === null) {
        const end = this.#received.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.#status = this.#received.subarray(0, 12).toString();
        this.#received = this.#received.subarray(end + 4);
      }
    });
    this.socket.write(upgradeRequest(node));
  }

  async upgraded(): Promise<void> {
    await until(() => expect(this.#status).toBe('HTTP/1.1 101'));
  }

  frames(): ServerFrame[] {
    return parseFrames(this.#received);
  }

  /** The close code the server sent, once it did. */
  closeCode(): number | null {
    const close = this.frames().find((f) => f.opcode === 0x8);
    return close ? close.payload.readUInt16BE(0) : null;
  }
}

// ---------------------------------------------------------------- memory

const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Heap in use after full collections: what is retained, not what awaits collection. */
async function retainedHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;

/** What must never reach a client: stack frames, SQL, driver codes, paths of the server. */
const INTERNALS = [
  /\bat .+:\d+:\d+/,
  /SQLITE_|sqlite|postgres|kysely/i,
  /\bselect\b.+\bfrom\b/i,
  /node_modules|\/work\/|\/home\/|\/src\/|\.ts\b/,
  /FST_ERR|TypeError|ReferenceError|Error:/,
];

function expectNoInternals(body: string): void {
  for (const pattern of INTERNALS) expect(body).not.toMatch(pattern);
}

// ---------------------------------------------------------------- junk tokens

const SQL = [
  "' OR 1=1 --",
  "'; DROP TABLE links; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10) --',
  "' UNION SELECT token_hash FROM links --",
  "admin'--",
];

/** `count` strings that are not the real token: random, malformed, hostile and near misses. */
function junkTokens(real: string, count: number): string[] {
  const fixed = [
    '',
    ' ',
    'a',
    '\0',
    '\0'.repeat(43),
    `${'A'.repeat(42)}\0`,
    'x'.repeat(10 * 1024),
    'Ж'.repeat(5 * 1024),
    'Привет, мир',
    '🔑'.repeat(43),
    'A'.repeat(43),
    'A'.repeat(44),
    '-'.repeat(43),
    '../../../../etc/passwd',
    '<script>alert(1)</script>',
    '${jndi:ldap://127.0.0.1/x}',
    'null',
    '__proto__',
    'constructor',
    ...SQL,
    ...SQL.map((s) => `${real.slice(0, 20)}${s}`),
  ];
  const flipped = (i: number) =>
    `${real.slice(0, i)}${real[i] === 'A' ? 'B' : 'A'}${real.slice(i + 1)}`;
  const nearMisses = [
    `${real}A`,
    real.slice(1),
    real.slice(0, -1),
    real.toUpperCase(),
    real.toLowerCase(),
    ` ${real}`,
    `${real}\n`,
    `${real}\0`,
    real.replace(/[-_]/g, '+'),
    `${real}${real}`,
    ...Array.from({ length: 43 }, (_, i) => flipped(i)),
  ];
  const random = [
    ...fc.sample(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), { numRuns: 3000, seed: 1 }),
    ...fc.sample(fc.string({ unit: 'binary', maxLength: 120 }), { numRuns: 2500, seed: 2 }),
    ...fc.sample(fc.string({ unit: 'grapheme', maxLength: 60 }), { numRuns: 2000, seed: 3 }),
    ...fc.sample(fc.base64String({ maxLength: 90 }), { numRuns: 1000, seed: 4 }),
    ...fc.sample(fc.string({ unit: 'binary-ascii', minLength: 1000, maxLength: 10_240 }), {
      numRuns: 50,
      seed: 5,
    }),
  ];
  const all = [...fixed, ...nearMisses, ...random].filter((t) => t !== real);
  const filler = fc.sample(
    fc.tuple(fc.constantFrom(...SQL), fc.string({ unit: 'binary', maxLength: 30 })),
    { numRuns: count, seed: 6 },
  );
  for (let i = 0; all.length < count; i++) all.push(filler[i]![1] + filler[i]![0]);
  return all.slice(0, count);
}

/** Percent-encodes every byte but the unreserved ones, dots included. */
function encodePath(token: string): string {
  let out = '';
  for (const byte of Buffer.from(token, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_~-]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------- link look-ups

describe('link look-ups', () => {
  let node: TestNode;
  let real: { id: string; token: string };

  beforeAll(async () => {
    // Trusting X-Forwarded-For lets one test speak for many addresses against the rate limit.
    node = await startNode({ TRUST_PROXY: 'true' });
    real = await (await signIn(node.url)).create();
  });

  afterAll(async () => {
    await node.close();
  });

  it('R24: 10,000 random and malformed tokens (short, 10 KB, non-base64url, NUL, Unicode, SQL, near misses) all resolve to the same link_invalid answer', async () => {
    const tokens = junkTokens(real.token, 10_000);
    expect(new Set(tokens).size).toBeGreaterThan(9000);

    const answers = new Map<string, number>();
    for (const token of tokens) {
      const answer = JSON.stringify(await node.server.service.resolveLink(token));
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
    }
    expect(Object.fromEntries(answers)).toEqual({
      [JSON.stringify({ ok: false, code: 'link_invalid', view: null })]: 10_000,
    });
    // The real token still opens: the answers above are not those of a broken look-up.
    expect((await node.server.service.resolveLink(real.token)).ok).toBe(true);
  });

  it('R24: a few hundred junk links over HTTP, undecodable and over-long ones included, each get 404 link_invalid with one identical body and no internal text', async () => {
    const tokens = junkTokens(real.token, 10_000);
    const sample = [...tokens.slice(0, 120), ...tokens.filter((_, i) => i % 50 === 0)];
    const paths = [
      ...sample.map((t) => `/p/${encodePath(t)}`),
      // Escapes the router cannot decode, and a parameter over its length limit.
      '/p/%',
      '/p/%zz',
      '/p/%C0%AF',
      '/p/%ED%A0%80',
      `/p/${real.token}%FF`,
      `/p/${real.token}${'A'.repeat(200)}`,
    ].filter((p) => p.length < 12_000);
    expect(paths.length).toBeGreaterThan(300);

    const bodies = new Set<string>();
    for (const [i, path] of paths.entries()) {
      // At most 100 look-ups per address, under the limit of 120 a minute.
      const res = await get(node.url, path, {
        'x-forwarded-for': `10.1.${Math.floor(i / 100)}.1`,
      });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
    const [body] = [...bodies];
    expect(body).toContain('"code":"link_invalid"');
    expectNoInternals(body!);
  });

  it('the 121st link look-up in a minute from one address is refused with 429 rate_limited', async () => {
    const unknown = 'B'.repeat(43);
    const from = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 120; i++) {
      expect((await get(node.url, `/p/${unknown}`, from)).status).toBe(404);
    }
    const refused = await get(node.url, `/p/${unknown}`, from);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
    expectNoInternals(refused.body);
    // Another address is not affected.
    const other = await get(node.url, `/p/${unknown}`, { 'x-forwarded-for': '203.0.113.10' });
    expect(other.status).toBe(404);
  });
});

// ---------------------------------------------------------------- secrets

describe('secrets', () => {
  it('the plaintext link token reaches no log line (at trace), error body, socket frame, metric or stored row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-secrets-'));
    scratch.push(dir);
    const store = await openStore({ dataDir: dir });
    const logs = captureLogs('trace');
    const node = await startNode({}, { store, logger: logs.logger });
    const bodies: [string, string][] = [];
    const look = async (path: string, headers: Record<string, string> = {}) => {
      const res = await get(node.url, path, headers);
      bodies.push([`GET ${path.slice(0, 12)}… ${res.status}`, res.body]);
      return res.status;
    };
    const sockets: RawClient[] = [];
    const tokens: string[] = [];

    try {
      // A realistic session: create, open the page and the socket, present.
      const agent = await signIn(node.url);
      const first = await agent.create();
      tokens.push(first.token);
      expect(await look(`/p/${first.token}`)).toBe(200);
      expect(await look('/api/v1/viewer/session', { 'x-viewer-token': first.token })).toBe(200);
      const presenter = await presenterAt(node, agent, first.id);
      const viewer = await viewerAt(node, first.token);
      sockets.push(presenter, viewer);
      await presenter.waitFor('snapshot');
      await viewer.waitFor('snapshot');
      presenter.send({ type: 'change', clientSeq: 1, patch: { view: 'list' } });
      await viewer.waitFor('patch');

      // Re-issue: the old link is cut and answers 410; the new one opens.
      const reissued = await agent.api<{ link: { url: string } }>(
        'POST',
        `/api/v1/presentations/${first.id}/reissue`,
      );
      const second = reissued.body.link.url.split('/p/')[1]!;
      tokens.push(second);
      await viewer.waitClosed();
      expectFatal(viewer, 'revoked');
      expect(await look(`/p/${first.token}`)).toBe(410);
      const again = await viewerAt(node, second);
      sockets.push(again);
      await again.waitFor('snapshot');

      // Revoke: the presentation ends; its link answers 410 and its socket is refused.
      await agent.api('POST', `/api/v1/presentations/${first.id}/revoke`);
      await again.waitClosed();
      expect(await look(`/p/${second}`)).toBe(410);
      const refused = await viewerAt(node, second);
      sockets.push(refused);
      await refused.waitClosed();

      // A short presentation runs out.
      const short = await agent.create(5);
      tokens.push(short.token);
      node.clock.advance(5 * 60_000);
      expect(await look(`/p/${short.token}`)).toBe(410);
      const expired = await viewerAt(node, short.token);
      sockets.push(expired);
      await expired.waitClosed();
      expectFatal(expired, 'expired');

      // Near misses and junk wrapped around the real tokens.
      for (const path of [
        `/p/${short.token}x`,
        `/p/${first.token.slice(1)}`,
        `/p/${second}%zz`,
        `/p/${first.token}${'A'.repeat(120)}`,
        `/p/${encodePath(`${first.token}' OR 1=1 --`)}`,
        `/p/${first.token}/more`,
      ]) {
        expect(await look(path)).toBe(404);
      }
      const invalid = await viewerAt(node, `${first.token}!`);
      sockets.push(invalid);
      await invalid.waitClosed();
      expectFatal(invalid, 'invalid_link');
      expect(await look('/metrics')).toBe(200);

      // Everything the server wrote down or sent back.
      const db = new SqliteDatabase(join(dir, SQLITE_FILE_NAME), { readonly: true });
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
        name: string;
      }[];
      const rows = tables.map((t) => JSON.stringify(db.prepare(`select * from "${t.name}"`).all()));
      db.close();
      const files = ['', '-wal', '-shm']
        .map((suffix) => join(dir, `${SQLITE_FILE_NAME}${suffix}`))
        .filter((file) => existsSync(file))
        .map((file) => readFileSync(file).toString('latin1'));
      const places: [string, string][] = [
        ['log', logs.text()],
        ...bodies,
        ...sockets.map((s, i): [string, string] => [`socket ${i}`, s.texts.join('\n')]),
        ...rows.map((r, i): [string, string] => [`table ${tables[i]!.name}`, r]),
        ...files.map((f, i): [string, string] => [`database file ${i}`, f]),
      ];
      for (const token of tokens) {
        for (const [where, text] of places) {
          expect(text.includes(token), `${where} holds a link token`).toBe(false);
        }
      }

      // The scans looked at something real: the log recorded the session down to trace, the
      // tables hold the tokens' hashes, and the errors went out as pages and frames.
      expect(logs.lines().length).toBeGreaterThan(20);
      expect(logs.text()).toContain('presentation created');
      expect(logs.logger.level).toBe('trace');
      expect(logs.text()).toContain('incoming request');
      expect(rows.join('')).toContain(hashToken(first.token));
      expect(bodies.filter(([what]) => / 4\d\d$/.test(what)).length).toBeGreaterThan(8);
    } finally {
      for (const socket of sockets) socket.close();
      await node.close();
      await store.close();
    }
  });
});

// ---------------------------------------------------------------- agent sessions

describe('agent sessions', () => {
  it('an agent session past SESSION_HOURS gets 401 unauthorized on the API and a fatal unauthorized on a presenter socket', async () => {
    const node = await startNode({ SESSION_HOURS: '1' });
    try {
      const agent = await signIn(node.url);
      const p = await agent.create(180);
      const before = await presenterAt(node, agent, p.id);
      await before.waitFor('welcome');
      before.close();

      node.clock.advance(3_600_000 - 1);
      expect((await agent.api('GET', '/api/v1/auth/me')).status).toBe(200);

      node.clock.advance(1);
      const calls: [string, string, unknown?][] = [
        ['GET', '/api/v1/auth/me'],
        ['GET', '/api/v1/presentations'],
        ['POST', `/api/v1/presentations/${p.id}/extend`, { minutes: 5 }],
        ['POST', '/api/v1/presentations', { buyer: { name: 'B', contact: 'b@example.com' } }],
      ];
      for (const [method, path, body] of calls) {
        const res = await agent.api(method, path, body);
        expect({ path, status: res.status, code: res.body.error.code }).toEqual({
          path,
          status: 401,
          code: 'unauthorized',
        });
      }

      const after = await presenterAt(node, agent, p.id);
      await after.waitClosed();
      expectFatal(after, 'unauthorized');
      expect(after.of('closing')[0]!.retry).toBe(false);
      expect(after.of('welcome')).toHaveLength(0);
    } finally {
      await node.close();
    }
  });
});

// ---------------------------------------------------------------- frames

describe('oversized and fragmented frames', () => {
  let node: TestNode;

  beforeAll(async () => {
    node = await startNode({ HEARTBEAT_SECONDS: '15' });
  });

  afterAll(async () => {
    await node.close();
  });

  it('R10: 50 frames of 1 MiB are each closed with 1009, the heap stays within a few MB, and permessage-deflate is never negotiated', async () => {
    const big = 'x'.repeat(MiB);
    const attempt = async () => {
      // The client offers compression; the server must not take it (a small frame could
      // inflate into a large one past the size check).
      const ws = new WebSocket(`${node.url.replace('http', 'ws')}/ws`, [WS_SUBPROTOCOL], {
        headers: { origin: node.url },
        perMessageDeflate: true,
      });
      ws.on('error', () => undefined);
      const upgrade = new Promise<IncomingMessage>((resolve) => ws.once('upgrade', resolve));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      await new Promise((resolve) => ws.once('open', resolve));
      const response = await upgrade;
      ws.send(big);
      return {
        code: await closed,
        offered: response.headers['sec-websocket-extensions'],
        extensions: ws.extensions,
      };
    };

    for (let i = 0; i < 3; i++) await attempt();
    const before = await retainedHeap();
    for (let i = 0; i < 50; i++) {
      expect(await attempt()).toEqual({ code: 1009, offered: undefined, extensions: '' });
    }
    const grown = (await retainedHeap()) - before;
    expect(grown).toBeLessThan(4 * MiB);
    expect((await get(node.url, '/healthz')).status).toBe(200);
  });

  it('a fragment flood — thousands of continuation frames without FIN — is closed with 1009 past 16 KiB or 1008 past 16,384 fragments, a shorter one ends at the heartbeat, and the heap stays bounded', async () => {
    const before = await retainedHeap();

    // One-byte fragments: ws counts every fragment toward the 16 KiB message limit.
    const grows = Array.from({ length: 10 }, () => new HandRolledSocket(node));
    for (const socket of grows) await socket.upgraded();
    const one = Buffer.from('x');
    const flood = Buffer.concat([
      clientFrame(0x1, one, false),
      ...Array.from({ length: 19_999 }, () => clientFrame(0x0, one, false)),
    ]);
    for (const socket of grows) socket.socket.write(flood);
    await until(() => {
      for (const socket of grows) expect(socket.closeCode()).toBe(1009);
    }, 15_000);

    // Empty fragments never add up to a message; ws counts the fragments instead.
    const emptyFlood = (count: number) =>
      Buffer.concat([
        clientFrame(0x1, Buffer.alloc(0), false),
        ...Array.from({ length: count }, () => clientFrame(0x0, Buffer.alloc(0), false)),
        clientFrame(0x9, Buffer.from('done'), true),
      ]);
    const endless = Array.from({ length: 5 }, () => new HandRolledSocket(node));
    for (const socket of endless) await socket.upgraded();
    const fifty = emptyFlood(50_000);
    for (const socket of endless) socket.socket.write(fifty);
    await until(() => {
      for (const socket of endless) expect(socket.closeCode()).toBe(1008);
    }, 15_000);

    // Under the fragment cap the message just stays open; a ping after the fragments shows
    // that the server has read them all.
    const empties = Array.from({ length: 5 }, () => new HandRolledSocket(node));
    for (const socket of empties) await socket.upgraded();
    const ten = emptyFlood(10_000);
    for (const socket of empties) socket.socket.write(ten);
    await until(() => {
      for (const socket of empties) {
        const pongs = socket.frames().filter((f) => f.opcode === 0xa);
        expect(pongs.map((f) => f.payload.toString())).toEqual(['done']);
      }
    }, 15_000);

    const grown = (await retainedHeap()) - before;
    expect(grown).toBeLessThan(4 * MiB);
    expect((await get(node.url, '/healthz')).status).toBe(200);

    // A message that never completes is silence to the protocol: the heartbeat ends it (R11).
    node.clock.advance(45_001);
    await until(() => {
      for (const socket of empties) expect(socket.closeCode()).toBe(4002);
    });
    for (const socket of [...grows, ...endless, ...empties]) socket.socket.destroy();
  });
});

// ---------------------------------------------------------------- headers and slow clients

describe('header floods and slow clients', () => {
  it('2,000 request headers are refused with 431, on a plain request and on an upgrade, with the heap bounded and /healthz still answered', async () => {
    const node = await startNode();
    try {
      const flood = Array.from(
        { length: 2000 },
        (_, i) => `X-Flood-${i}: ${'v'.repeat(12)}\r\n`,
      ).join('');
      const plain = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${flood}\r\n`;

      const first = await exchange(node.port, plain);
      expect(first.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expectNoInternals(first);
      const upgrade = await exchange(node.port, upgradeRequest(node, flood));
      expect(upgrade.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');

      const before = await retainedHeap();
      for (let i = 0; i < 100; i++) {
        const answer = await exchange(node.port, i % 2 ? plain : upgradeRequest(node, flood));
        expect(answer.slice(0, 12)).toBe('HTTP/1.1 431');
      }
      expect((await retainedHeap()) - before).toBeLessThan(4 * MiB);
      expect((await get(node.url, '/healthz')).status).toBe(200);
    } finally {
      await node.close();
    }
  });

  it('2,000 tiny headers under the 16 KiB cap are read only up to 100: a header after them is not seen', async () => {
    const node = await startNode();
    try {
      const p = await (await signIn(node.url)).create();
      const tiny = Array.from({ length: 2000 }, (_, i) => `a${i}:b\r\n`).join('');
      const request = (before: string, after: string) =>
        'GET /api/v1/viewer/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' +
        `${before}${tiny}${after}\r\n`;

      const seen = await exchange(node.port, request(`X-Viewer-Token: ${p.token}\r\n`, ''));
      expect(seen.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      const dropped = await exchange(node.port, request('', `X-Viewer-Token: ${p.token}\r\n`));
      expect(dropped.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
      expect(dropped).toContain('"code":"link_invalid"');
      expect((await get(node.url, '/healthz')).status).toBe(200);
    } finally {
      await node.close();
    }
  });

  it('slowloris: 1,000 connections dribbling headers a byte every 100 ms are dropped by the header timeout, while a healthy client is served meanwhile', async () => {
    // Short enough for a test, long enough that all 1,000 are connected before the first goes.
    const node = await startNode({}, { headersTimeoutMs: 3000 });
    // Each would need some 40 s to finish its request at this pace; none may get that far.
    const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(400)}\r\n\r\n`;
    const slow: { socket: Socket; sent: number; closed: boolean; answer: string }[] = [];
    const healthy: { status: number; slowOpen: number }[] = [];
    let timer: NodeJS.Timeout | undefined;

    try {
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, async () => {
            const socket = connect(node.port, '127.0.0.1');
            const entry = { socket, sent: 0, closed: false, answer: '' };
            socket.on('error', () => undefined);
            socket.on('data', (chunk: Buffer) => (entry.answer += chunk.toString()));
            socket.on('close', () => (entry.closed = true));
            slow.push(entry);
            await new Promise((resolve) => socket.once('connect', resolve));
          }),
        );
      }
      timer = setInterval(() => {
        for (const entry of slow) {
          if (!entry.closed && entry.sent < request.length) {
            entry.socket.write(request[entry.sent++]!);
          }
        }
      }, 100);

      const open = () => slow.filter((e) => !e.closed).length;
      for (let round = 0; round < 400 && open() > 0; round++) {
        const res = await get(node.url, '/healthz');
        healthy.push({ status: res.status, slowOpen: open() });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clearInterval(timer);
      for (const entry of slow) entry.socket.destroy();
      await node.close();
    }

    // Every slow connection was cut by the server before finishing its headers…
    expect(slow.filter((e) => !e.closed)).toHaveLength(0);
    expect(slow.filter((e) => e.sent >= request.length)).toHaveLength(0);
    expect(slow.filter((e) => e.answer.startsWith('HTTP/1.1 200'))).toHaveLength(0);
    const answered = slow.filter((e) => e.answer !== '');
    for (const entry of answered) expect(entry.answer.slice(0, 12)).toBe('HTTP/1.1 408');
    // …while the healthy client was answered, with most of them still hanging on.
    expect(healthy.every((h) => h.status === 200)).toBe(true);
    expect(healthy.some((h) => h.slowOpen >= 900)).toBe(true);
  });
});

// ---------------------------------------------------------------- floods

/** Tries an upgrade and reports the HTTP answer when it is refused. */
function tryUpgrade(node: TestNode): Promise<{ status: number; body: string; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${node.url.replace('http', 'ws')}/ws`, [WS_SUBPROTOCOL], {
      headers: { origin: node.url },
    });
    ws.on('error', () => undefined);
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

describe('connection and message floods', () => {
  it('one connection over MAX_CONNECTIONS_PER_IP is refused with 429 rate_limited before the handshake, and a freed slot is usable again', async () => {
    // The per-link device cap is R18 in test/realtime.test.ts.
    const node = await startNode({ MAX_CONNECTIONS_PER_IP: '5' });
    const held: WebSocket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const attempt = await tryUpgrade(node);
        expect(attempt.status).toBe(101);
        held.push(attempt.ws!);
      }
      for (let i = 0; i < 20; i++) {
        const refused = await tryUpgrade(node);
        expect(refused.status).toBe(429);
        expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
      }

      const gone = new Promise((resolve) => held[0]!.once('close', resolve));
      held.shift()!.close();
      await gone;
      await until(async () => {
        const again = await tryUpgrade(node);
        again.ws?.close();
        expect(again.status).toBe(101);
      });
      expect((await get(node.url, '/healthz')).status).toBe(200);
    } finally {
      for (const ws of held) ws.close();
      await node.close();
    }
  });

  it('R8, R9: malformed JSON, wrong types, unknown types and __proto__ keys are each refused with an error that echoes nothing, and change nothing', async () => {
    const node = await startNode();
    try {
      const agent = await signIn(node.url);
      const p = await agent.create();
      const presenter = await presenterAt(node, agent, p.id);
      await presenter.waitFor('snapshot');

      const change = (fields: string) => `{"type":"change","clientSeq":1,"patch":{${fields}}}`;
      const hostile: string[] = [
        '{not json',
        '',
        '"CANARY"',
        'null',
        '42',
        '[{"type":"change"}]',
        `${'['.repeat(7000)}${']'.repeat(7000)}`,
        '{"type":"teleport"}',
        '{"clientSeq":1}',
        '{"type":7}',
        '{"type":"change","clientSeq":"CANARY","patch":{}}',
        '{"type":"change","clientSeq":-1,"patch":{}}',
        '{"type":"change","clientSeq":1.5,"patch":{}}',
        '{"type":"change","clientSeq":1e308,"patch":{}}',
        '{"type":"change","clientSeq":1,"patch":[]}',
        change('"CANARY":1'),
        change('"view":"CANARY"'),
        change('"floor":"7"'),
        change('"galleryIndex":101'),
        change(`"highlighted":${JSON.stringify(Array.from({ length: 501 }, (_, i) => `u${i}`))}`),
        change('"unitId":"<script>CANARY</script>"'),
        change('"__proto__":{"polluted":"CANARY"}'),
        change('"filters":{"__proto__":{"polluted":"CANARY"}}'),
        '{"__proto__":{"polluted":"CANARY"},"type":"pong","t":1}',
        '{"type":"pong","t":1,"constructor":{"prototype":{"polluted":"CANARY"}}}',
        '{"type":"pong","t":"CANARY"}',
        '{"type":"volatile","data":{"pointer":{"x":2,"y":0}}}',
        '{"type":"resume","seq":-5}',
        '{"type":"ack","seq":1,"extra":"CANARY"}',
        JSON.stringify({ type: 'hello', v: 1, role: 'presenter', presentationId: p.id }),
      ];
      for (const frame of hostile) presenter.sendText(frame);
      const errors = await presenter.waitFor('error', hostile.length);
      expect(errors.map((e) => e.code)).toEqual(hostile.map(() => 'invalid_message'));
      for (const error of errors) expect(error.message).not.toContain('CANARY');
      expect(presenter.closeCode).toBeNull();
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      // The connection still works, and only the good change was stored.
      presenter.send({ type: 'change', clientSeq: 99, patch: { view: 'grid' } });
      const [ack] = await presenter.waitFor('ack');
      expect(ack!.clientSeq).toBe(99);
      const row = await node.server.store.presentations.findById(p.id);
      expect({ seq: row!.seq, view: JSON.parse(row!.stateJson).view }).toEqual({
        seq: 1,
        view: 'grid',
      });

      // A viewer may not write at all (R8), whatever it sends.
      const viewer = await viewerAt(node, p.token);
      await viewer.waitFor('snapshot');
      viewer.send({ type: 'change', clientSeq: 1, patch: { view: 'list' } });
      viewer.send({ type: 'volatile', data: { pointer: { x: 0.5, y: 0.5 } } });
      viewer.send({ type: 'takeover' });
      viewer.sendText('{"type":"presence","visible":"CANARY"}');
      // Refusals of well-formed messages wait behind admission; a malformed one is answered at
      // once, so the order of the answers is not the order of the frames.
      const refused = await viewer.waitFor('error', 4);
      expect(refused.map((e) => e.code).sort()).toEqual([
        'invalid_message',
        'not_allowed',
        'not_allowed',
        'not_allowed',
      ]);
      expect((await node.server.store.presentations.findById(p.id))!.seq).toBe(1);
      presenter.close();
      viewer.close();
    } finally {
      await node.close();
    }
  });

  it("10,000 messages as fast as possible from one presenter get rate_limited errors and then a retryable close, while another presentation's viewer gets every change in order", async () => {
    const node = await startNode();
    try {
      const agent = await signIn(node.url);
      const noisy = await agent.create();
      const calm = await agent.create();
      const flooder = await presenterAt(node, agent, noisy.id);
      const presenter = await presenterAt(node, agent, calm.id);
      const viewer = await viewerAt(node, calm.token);
      await flooder.waitFor('snapshot');
      await presenter.waitFor('snapshot');
      const [snapshot] = await viewer.waitFor('snapshot');

      for (let i = 1; i <= 25; i++) {
        presenter.send({ type: 'change', clientSeq: i, patch: { galleryIndex: i } });
      }
      for (let i = 1; i <= 10_000; i++) {
        flooder.send({ type: 'change', clientSeq: i, patch: { floor: i % 100 } });
      }
      for (let i = 26; i <= 50; i++) {
        presenter.send({ type: 'change', clientSeq: i, patch: { galleryIndex: i } });
      }

      const closed = await flooder.waitClosed();
      expect(closed).toEqual({ code: 4002, reason: 'rate_limited' });
      expect(flooder.of('closing')[0]).toMatchObject({ reason: 'rate_limited', retry: true });
      const limited = flooder.of('error').filter((e) => e.code === 'rate_limited');
      expect(limited.length).toBeGreaterThan(0);
      expect(limited.length).toBeLessThanOrEqual(201);

      const patches = await viewer.waitFor('patch', 50);
      expect(patches.map((x) => x.seq)).toEqual(
        Array.from({ length: 50 }, (_, i) => snapshot!.seq + i + 1),
      );
      expect(patches.map((x) => x.patch.galleryIndex)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );

      // Only the budget got through; the server is up and the flooder may come back.
      await node.server.realtime.settle();
      const stored = await node.server.store.presentations.findById(noisy.id);
      expect(stored!.seq).toBeGreaterThan(0);
      expect(stored!.seq).toBeLessThanOrEqual(120);
      expect((await get(node.url, '/healthz')).status).toBe(200);
      const back = await presenterAt(node, agent, noisy.id);
      await back.waitFor('snapshot');
      presenter.close();
      viewer.close();
      back.close();
    } finally {
      await node.close();
    }
  });
});
