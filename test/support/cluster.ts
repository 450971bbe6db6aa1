/**
 * Real processes for the cluster tests: a fresh PostgreSQL database, a private Redis, nodes run
 * as `node --import tsx src/server/main.ts`, and Debian's nginx in front of them, started from
 * deploy/nginx.conf with its own prefix, pid file, logs and temp paths in a temporary folder,
 * so the system's nginx is never touched. Also the clients the tests drive: signed-in agents
 * over plain HTTP, and viewers that record every frame each of their connections received.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';
import type WebSocket from 'ws';

import type { ServerMessage } from '../../src/core/protocol.js';
import { applyPatch } from '../../src/core/view-state.js';
import type { ViewState } from '../../src/core/view-state.js';
import { PresenterClient, ViewerClient } from '../../src/sdk/index.js';
import { SseParser } from '../../src/sdk/sse-parser.js';
import type { WebSocketFactory, WebSocketLike } from '../../src/sdk/index.js';
import { PG_URL, wsFactory } from './harness.js';
import type { Agent } from './harness.js';
import { TestRedis, freePort } from './redis-server.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NGINX_TEMPLATE = join(REPO_ROOT, 'deploy', 'nginx.conf');
export const PRESENTER_SECRET = 'cluster-secret-cluster-secret-cluster-0123';

/** Every child still running; killed when the test process exits, however it exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries `probe` every 50 ms until it returns true, for at most `attempts` tries; stops at
 * once with the message `failed` returns, if it returns one.
 */
async function poll(
  what: string,
  probe: () => Promise<boolean>,
  failed: () => string | undefined = () => undefined,
  attempts = 400,
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const reason = failed();
    if (reason !== undefined) throw new Error(reason);
    if (await probe().catch(() => false)) return;
    await pause(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function status(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
}

// ------------------------------------------------------------------ PostgreSQL

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one run, created through the shared test database's server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rp_cluster_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE: a node killed with SIGKILL may leave a session the server has not noticed yet.
    drop: () => admin(`drop database if exists "${name}" with (force)`),
  };
}

// ------------------------------------------------------------------ nodes

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One server process, as an operator runs it, configured by environment variables only. */
export class NodeProcess {
  readonly url: string;
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcess;
  #output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(this.#child);
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-16_384);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** What the process printed last (its warnings and errors, at LOG_LEVEL=warn). */
  get output(): string {
    return this.#output;
  }

  /** Waits until /readyz answers 200; fails at once, with the output, if the process exits. */
  async ready(): Promise<void> {
    await poll(
      `${this.name} to be ready`,
      async () => (await status(`${this.url}/readyz`)) === 200,
      () =>
        this.running ? undefined : `${this.name} exited before it was ready:\n${this.#output}`,
    );
  }

  /** Sends the signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.running) this.#child.kill(signal);
    return this.exited;
  }
}

// ------------------------------------------------------------------ nginx

export interface SiteOptions {
  /** `host:port` of each node. */
  upstreams: string[];
  listen: string;
  accessLog: string;
}

/**
 * Fills the shipped site configuration in for a test: the `server` lines of its upstreams, its
 * `listen` line and its access log path, and nothing else. Throws if the template no longer
 * has the shape this expects, so a change to deploy/nginx.conf cannot silently go untested.
 */
export function renderSite(template: string, options: SiteOptions): string {
  // Each upstream's run of `server host:port …;` lines becomes one line per test node, with
  // the parameters (max_fails, fail_timeout) of the run's first line.
  const serverRun = /^( +)server \S+:\d+( [^;\n]*)?;\n(?:\1server \S+:\d+(?: [^;\n]*)?;\n)*/gm;
  let runs = 0;
  let site = template.replace(serverRun, (_run, indent: string, params: string | undefined) => {
    runs++;
    return options.upstreams.map((u) => `${indent}server ${u}${params ?? ''};\n`).join('');
  });
  if (runs === 0)
    throw new Error('deploy/nginx.conf: no `server host:port …;` line in an upstream');

  const replaceOnce = (pattern: RegExp, replacement: string, what: string) => {
    const found = site.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
    if (found !== 1) throw new Error(`deploy/nginx.conf: expected one ${what}, found ${found}`);
    site = site.replace(new RegExp(pattern.source, 'm'), replacement);
  };
  replaceOnce(/^( +)listen 80;$/, `$1listen ${options.listen};`, '`listen 80;` line');
  replaceOnce(
    /^( +)access_log \S+ rp_redacted;$/,
    `$1access_log ${options.accessLog} rp_redacted;`,
    '`access_log … rp_redacted;` line',
  );
  return site;
}

/** nginx running in the foreground from a folder of its own, with deploy/nginx.conf as its site. */
export class Nginx {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<Exit>;
  /** Why nginx could not be started at all (not installed, most likely). */
  #spawnError: Error | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        this.#spawnError = err;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Why it is not running, if it is not. */
  #failure(): string | undefined {
    if (this.#spawnError) {
      return `nginx could not be started (${this.#spawnError.message}); .ci/run installs Debian's nginx`;
    }
    if (this.#child.exitCode !== null) return `nginx exited:\n${this.errorLog()}`;
    return undefined;
  }

  static async start(upstreams: string[]): Promise<Nginx> {
    const dir = mkdtempSync(join(tmpdir(), 'rp-nginx-'));
    // Run as root, nginx's workers drop to `nobody`, and they must reach the temp paths.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const site = renderSite(readFileSync(NGINX_TEMPLATE, 'utf8'), {
      upstreams,
      listen: `127.0.0.1:${port}`,
      accessLog: join(dir, 'access.log'),
    });
    writeFileSync(join(dir, 'site.conf'), site);
    const temp = (name: string) => {
      mkdirSync(join(dir, 'temp', name), { recursive: true });
      return join(dir, 'temp', name);
    };
    // What /etc/nginx/nginx.conf would give on a server, scaled down and kept in `dir`.
    const main = [
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  client_body_temp_path ${temp('body')};`,
      `  proxy_temp_path ${temp('proxy')};`,
      `  fastcgi_temp_path ${temp('fastcgi')};`,
      `  uwsgi_temp_path ${temp('uwsgi')};`,
      `  scgi_temp_path ${temp('scgi')};`,
      `  include ${join(dir, 'site.conf')};`,
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'nginx.conf'), main);

    const child = spawn(
      'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      { stdio: 'ignore' },
    );
    track(child);
    const nginx = new Nginx(dir, port, child);
    try {
      await poll(
        'nginx to answer',
        async () => (await status(`${nginx.url}/healthz`)) === 200,
        () => nginx.#failure(),
      );
    } catch (err) {
      await nginx.stop();
      throw err;
    }
    return nginx;
  }

  accessLog(): string {
    return readText(join(this.dir, 'access.log'));
  }

  errorLog(): string {
    return readText(join(this.dir, 'error.log'));
  }

  /** Fast shutdown (SIGTERM), then the folder goes. */
  async stop(): Promise<void> {
    const running = this.#child.exitCode === null && this.#child.signalCode === null;
    if (running && this.#spawnError === null) {
      this.#child.kill('SIGTERM');
      await this.#exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ------------------------------------------------------------------ the cluster

export class Cluster {
  readonly #proxies: Nginx[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly redis: TestRedis,
    readonly nodes: NodeProcess[],
    readonly env: Record<string, string>,
  ) {}

  /**
   * A fresh database, a private Redis and `count` nodes. The first node starts alone: it
   * migrates and seeds the empty database, which nodes starting at the same moment would race
   * to do (the demo seeding is not idempotent across processes). The rest start together.
   */
  static async start(count: number, env: Record<string, string> = {}): Promise<Cluster> {
    const database = await createTestDatabase();
    let redis: TestRedis | undefined;
    const nodes: NodeProcess[] = [];
    try {
      redis = await TestRedis.start();
      const nodeEnv = {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        SEED_DEMO: 'true',
        LOG_LEVEL: 'warn',
        PRESENTER_TOKEN_SECRET: PRESENTER_SECRET,
        TRUST_PROXY: 'true',
        ...env,
      };
      for (let i = 1; i <= count; i++) {
        nodes.push(new NodeProcess(`node ${i}`, await freePort(), nodeEnv));
        if (i === 1) await nodes[0]!.ready();
      }
      await Promise.all(nodes.map((node) => node.ready()));
      return new Cluster(database, redis, nodes, nodeEnv);
    } catch (err) {
      await Promise.allSettled(nodes.map((node) => node.kill()));
      await redis?.stop();
      await database.drop();
      throw err;
    }
  }

  /** Starts a node that died again, on its port and with its settings, as a supervisor would. */
  async revive(node: NodeProcess): Promise<NodeProcess> {
    if (node.running) throw new Error(`${node.name} is still running`);
    const index = this.nodes.indexOf(node);
    const fresh = new NodeProcess(node.name, node.port, this.env);
    this.nodes[index] = fresh;
    await fresh.ready();
    return fresh;
  }

  /** nginx in front of the given nodes, stopped with the cluster. */
  async proxy(nodes: NodeProcess[]): Promise<Nginx> {
    const nginx = await Nginx.start(nodes.map((node) => `127.0.0.1:${node.port}`));
    this.#proxies.push(nginx);
    return nginx;
  }

  /** Everything the nodes and proxies said, for a failed test's report. */
  logs(): string {
    const nodes = this.nodes.map((node) => `--- ${node.name}\n${node.output}`);
    const proxies = this.#proxies.map((p) => `--- nginx ${p.port}\n${p.errorLog()}`);
    return [...nodes, ...proxies].join('\n');
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#proxies.map((nginx) => nginx.stop()));
    await Promise.allSettled(this.nodes.map((node) => node.kill()));
    await Promise.allSettled([this.redis.stop(), this.database.drop()]);
  }
}

// ------------------------------------------------------------------ clients

/** Signs a demo agent in through `base` (a node or nginx), sending the page's Origin. */
export async function signIn(base: string, email = 'anna@demo.local'): Promise<Agent> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  if (res.status !== 200) throw new Error(`sign-in through ${base} failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };

  const api = async <T>(method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken, origin: base };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
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
    async createPresentation(options = {}) {
      const created = await api<{ presentation: { id: string }; link: { url: string } }>(
        'POST',
        '/api/v1/presentations',
        { buyer: { name: 'Мария Соколова', contact: 'maria@example.com' }, ...options },
      );
      if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created)}`);
      const url = created.body.link.url;
      return { id: created.body.presentation.id, token: url.split('/p/')[1] ?? '', url };
    },
  };
}

/** The agent's SDK client, presenting through `base`; remembers the last acknowledged seq. */
export function presenterAt(base: string, agent: Agent, presentationId: string) {
  const client = new PresenterClient({
    baseUrl: base,
    presentationId,
    transport: 'ws',
    webSocket: wsFactory({ cookie: agent.cookie, origin: base }),
    baseDelayMs: 20,
    maxDelayMs: 200,
  });
  const acked = { seq: -1 };
  client.on('ack', ({ seq }) => (acked.seq = Math.max(acked.seq, seq)));
  return { client, acked };
}

/** What one WebSocket of a viewer received, in order, and how it ended. */
export interface RecordedConnection {
  frames: ServerMessage[];
  close: { code: number; reason: string } | null;
}

/** A state a viewer arrived at, and the frame that brought it. */
export interface Delivery {
  connection: number;
  kind: 'snapshot' | 'patch';
  seq: number;
  /** Null when a patch came before any snapshot (which `historyProblems` reports). */
  state: ViewState | null;
}

/** How a recorded viewer connects: the transport it is held to. */
export type ViewerTransport = 'ws' | 'sse' | 'poll';

const SESSION_PATH = /^\/rt\/sessions\/([^/]+)\/(events|poll)$/;

/**
 * The buyer's SDK client, watching through `base` over one transport (no fallback, so a proxy
 * that breaks WebSockets cannot hide behind SSE), with every frame of every connection
 * recorded: a WebSocket's messages, or an HTTP session's first answer, events and polls.
 */
export class RecordedViewer {
  readonly connections: RecordedConnection[] = [];
  readonly client: ViewerClient;
  readonly #sessions = new Map<string, RecordedConnection>();

  constructor(base: string, token: string, transport: ViewerTransport = 'ws') {
    const factory = wsFactory({ origin: base });
    const webSocket: WebSocketFactory = (url, protocols) => {
      const socket = factory(url, protocols) as unknown as WebSocket;
      const record: RecordedConnection = { frames: [], close: null };
      this.connections.push(record);
      socket.on('message', (data) => record.frames.push(JSON.parse(String(data)) as ServerMessage));
      socket.on('close', (code, reason) => (record.close = { code, reason: reason.toString() }));
      return socket as unknown as WebSocketLike;
    };
    this.client = new ViewerClient({
      baseUrl: base,
      token,
      deviceId: `dev${randomBytes(6).toString('hex')}`,
      device: 'phone',
      transport,
      webSocket,
      fetch: (url, init) => this.#fetch(url, init),
      baseDelayMs: 20,
      maxDelayMs: 200,
    });
  }

  /** `fetch` for the SDK's SSE and long-polling, copying out each frame it carries. */
  async #fetch(url: string, init: RequestInit): Promise<Response> {
    const res = await fetch(url, init);
    const path = new URL(url).pathname;
    if (init.method === 'POST' && path === '/rt/sessions') {
      const record: RecordedConnection = { frames: [], close: null };
      this.connections.push(record);
      if (res.status !== 201) {
        record.close = { code: res.status, reason: 'refused' };
        return res;
      }
      const opened = (await res.clone().json()) as { sid: string; frames: ServerMessage[] };
      this.#sessions.set(opened.sid, record);
      record.frames.push(...opened.frames);
      return res;
    }

    const [, sid = '', kind] = SESSION_PATH.exec(path) ?? [];
    const record = this.#sessions.get(sid);
    if (!record) return res;
    if (res.status === 404) record.close = { code: 404, reason: 'lost' };
    if (!res.ok) return res;
    if (kind === 'poll') {
      const answer = (await res.clone().json()) as { frames: ServerMessage[] };
      record.frames.push(...answer.frames);
      return res;
    }
    if (kind !== 'events' || !res.body) return res;
    const [mine, theirs] = res.body.tee();
    void readEvents(mine, record);
    const { status, statusText, headers } = res;
    return new Response(theirs, { status, statusText, headers });
  }

  connect(): this {
    this.client.connect();
    return this;
  }

  /** Every state this viewer was shown, rebuilt from the frames as they arrived. */
  deliveries(): Delivery[] {
    const out: Delivery[] = [];
    let state: ViewState | null = null;
    this.connections.forEach((record, connection) => {
      for (const frame of record.frames) {
        if (frame.type === 'snapshot') state = frame.state;
        else if (frame.type === 'patch') state = state && applyPatch(state, frame.patch);
        else continue;
        out.push({ connection, kind: frame.type, seq: frame.seq, state });
      }
    });
    return out;
  }

  /**
   * What is wrong with the history, as sentences (empty when nothing is): within a connection
   * every patch is one above the previous seq; a connection starts with a snapshot that does
   * not go back, or resumes with the next patch; no snapshot in mid-stream, unless
   * `resyncs` allows one (a node resynchronising after a bus outage sends one, R7), and even
   * then it never goes back.
   */
  historyProblems(options: { resyncs?: boolean } = {}): string[] {
    const problems: string[] = [];
    let last = -1;
    let connection = -1;
    for (const d of this.deliveries()) {
      const fresh = d.connection !== connection;
      connection = d.connection;
      if (d.kind === 'snapshot') {
        if (!fresh && !options.resyncs) {
          problems.push(`connection ${connection}: snapshot ${d.seq} in mid-stream`);
        }
        if (d.seq < last) problems.push(`connection ${connection}: snapshot ${d.seq} < ${last}`);
      } else if (last < 0) {
        problems.push(`connection ${connection}: patch ${d.seq} before any snapshot`);
      } else if (d.seq !== last + 1) {
        problems.push(`connection ${connection}: patch ${d.seq} after ${last}`);
      }
      last = d.seq;
    }
    return problems;
  }

  /**
   * How each connection that ended did: `code reason` of a WebSocket's close or of a refused
   * or lost HTTP session, else `closing reason` of the frame that ended an HTTP session.
   */
  closes(): string[] {
    return this.connections.flatMap((c) => {
      if (c.close) return [`${c.close.code} ${c.close.reason}`];
      const closing = c.frames.find((f) => f.type === 'closing');
      return closing ? [`closing ${closing.reason}`] : [];
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Copies the frames of an SSE stream into `record` as they arrive. */
async function readEvents(body: ReadableStream<Uint8Array>, record: RecordedConnection) {
  const parser = new SseParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(value, (event) => record.frames.push(JSON.parse(event.data) as ServerMessage));
    }
  } catch {
    // The SDK dropped the stream; what it read, this read too.
  }
}

/** `rp_connections` of one role over one transport, from a node's /metrics. */
export async function connectionsOn(
  node: NodeProcess,
  role: 'viewer' | 'presenter' = 'viewer',
  transport: ViewerTransport = 'ws',
): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const labels = (m: RegExpMatchArray) => m[1] ?? '';
  const line = [...text.matchAll(/^rp_connections\{([^}]*)\} (\d+)$/gm)].find(
    (m) => labels(m).includes(`role="${role}"`) && labels(m).includes(`transport="${transport}"`),
  );
  return Number(line?.[2] ?? 0);
}
