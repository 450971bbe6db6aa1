/**
 * The server under test: started as its own process on the server core, prepared (our server
 * needs an agent session and presentations; the peers need nothing), read from outside through
 * /proc and its metrics endpoint, and stopped.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { RoomAssignment, SystemName } from './ipc.js';
import { spawnPinned } from './spawn.js';
import type { Pinned } from './spawn.js';

/**
 * `--built` compiles the server with tsc into a temporary directory (not into dist/, which other
 * work in the tree uses, nor under bench/, which the linter reads): the same code as
 * `npm run build:server`, with real line numbers in CPU profiles. A link to node_modules lets
 * the compiled files find their packages.
 */
export const BUILD_DIR = join(tmpdir(), 'rp-bench-build');

export function buildServer(): void {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  symlinkSync(resolve('node_modules'), join(BUILD_DIR, 'node_modules'));
  execFileSync(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.build.json',
      '--outDir',
      BUILD_DIR,
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  );
}

export interface TargetOptions {
  system: SystemName;
  serverCore: number | null;
  /** Run our server compiled by tsc (see BUILD_DIR) instead of through tsx. */
  built: boolean;
  maxDevices: number;
  /** Write a V8 CPU profile of our server into this directory when it exits. */
  profileDir: string | null;
  logFile: string;
  /** Extra environment for our server, for experiments (e.g. HEARTBEAT_SECONDS=300). */
  serverEnv: Record<string, string>;
  /** Extra Node.js flags for our server, for experiments (e.g. --trace-gc). */
  serverNodeArgs: string[];
}

export interface ServerReadings {
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  heapUsedBytes: number;
  connections: number;
  /** Our server only: protocol messages so far, by direction and type (`out:patch`, `in:ack`). */
  messages: Record<string, number>;
}

/** Sums rp_messages_{in,out}_total by type, across roles. */
function messageCounts(metrics: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const pattern = /^rp_messages_(in|out)_total\{([^}]*)\} (\S+)$/gm;
  for (const match of metrics.matchAll(pattern)) {
    const type = /type="([^"]+)"/.exec(match[2] ?? '')?.[1] ?? '?';
    const key = `${match[1]}:${type}`;
    counts[key] = (counts[key] ?? 0) + Number(match[3]);
  }
  return counts;
}

export function isOurs(system: SystemName): boolean {
  return system.startsWith('ours-');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class Target {
  readonly system: SystemName;
  readonly baseUrl: string;
  readonly pid: number;
  readonly placement: string;
  cookie = '';
  #csrf = '';
  readonly #proc: Pinned;
  readonly #dataDir: string | null;
  #exited = false;

  private constructor(system: SystemName, port: number, proc: Pinned, dataDir: string | null) {
    this.system = system;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.#proc = proc;
    this.pid = proc.child.pid ?? 0;
    this.placement = proc.placement;
    this.#dataDir = dataDir;
    proc.child.once('exit', () => (this.#exited = true));
  }

  static async start(options: TargetOptions): Promise<Target> {
    const port = await freePort();
    const ours = isOurs(options.system);
    // SQLite lives on the disk by default, as in a deployment; BENCH_DATA_ROOT=/dev/shm puts it
    // in memory, to tell the database's share of the latency from the rest.
    const dataRoot = process.env.BENCH_DATA_ROOT ?? tmpdir();
    const dataDir = ours ? mkdtempSync(join(dataRoot, 'rp-bench-')) : null;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
    };
    let args: string[];
    if (ours) {
      Object.assign(env, {
        DATA_DIR: dataDir ?? '',
        LOG_LEVEL: 'warn',
        SEED_DEMO: 'true',
        MAX_CONNECTIONS_PER_IP: '1000000',
        MAX_DEVICES: String(Math.min(100, Math.max(5, options.maxDevices))),
        ...options.serverEnv,
      });
      // tsconfig.build.json's rootDir is src/, so src/server/main.ts compiles to server/main.js.
      const entry = options.built
        ? [join(BUILD_DIR, 'server', 'main.js')]
        : ['--import', 'tsx', 'src/server/main.ts'];
      const profile = options.profileDir
        ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir]
        : [];
      args = [...profile, ...options.serverNodeArgs, ...entry];
    } else {
      const file = { 'raw-ws': 'raw-ws', socketio: 'socketio', 'poll-2s': 'poll' }[
        options.system as 'raw-ws' | 'socketio' | 'poll-2s'
      ];
      args = ['--import', 'tsx', `bench/peers/${file}.ts`];
    }

    const log = createWriteStream(options.logFile);
    const proc = spawnPinned(options.serverCore, process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.child.stdout?.pipe(log);
    proc.child.stderr?.pipe(log);
    const target = new Target(options.system, port, proc, dataDir);
    await target.#waitReady();
    return target;
  }

  async #waitReady(): Promise<void> {
    const path = isOurs(this.system) ? '/healthz' : '/stats';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.#exited) throw new Error(`${this.system}: the server exited during start`);
      try {
        const res = await fetch(`${this.baseUrl}${path}`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.system}: the server did not answer within 60 s`);
  }

  /** Our server: sign in once (the sign-in route allows 10 a minute), for every presenter. */
  async login(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'anna@demo.local', password: 'demo-password' }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    this.#csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /** Rooms numbered from `first`: presentations created through the API (ours) or names. */
  async rooms(first: number, n: number, concurrency = 8): Promise<RoomAssignment[]> {
    const indexes = Array.from({ length: n }, (_, i) => first + i);
    if (!isOurs(this.system)) {
      return indexes.map((index) => ({ index, id: `room${index}`, token: '' }));
    }
    if (!this.cookie) await this.login();
    const out: RoomAssignment[] = [];
    const queue = [...indexes];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
          out.push(await this.#createPresentation(index));
        }
      }),
    );
    return out.sort((a, b) => a.index - b.index);
  }

  async #createPresentation(index: number): Promise<RoomAssignment> {
    const res = await fetch(`${this.baseUrl}/api/v1/presentations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: this.cookie,
        'x-csrf-token': this.#csrf,
      },
      body: JSON.stringify({
        buyer: { name: `Покупатель ${index}`, contact: '+7 916 000-00-00' },
        lifetimeMinutes: 240,
      }),
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { presentation: { id: string }; link: { url: string } };
    return { index, id: body.presentation.id, token: body.link.url.split('/p/')[1] ?? '' };
  }

  /** Event-loop delay since the previous read (reading resets it), heap and connections. */
  async read(): Promise<ServerReadings> {
    if (!isOurs(this.system)) {
      const res = await fetch(`${this.baseUrl}/stats`);
      const s = (await res.json()) as ServerReadings;
      return {
        loopLagP50Ms: s.loopLagP50Ms,
        loopLagP99Ms: s.loopLagP99Ms,
        loopLagMaxMs: s.loopLagMaxMs,
        heapUsedBytes: s.heapUsedBytes,
        connections: s.connections,
        messages: {},
      };
    }
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const value = (name: string) => {
      let sum = 0;
      let found = false;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
          found = true;
        }
      }
      return found ? sum : NaN;
    };
    return {
      loopLagP50Ms: value('nodejs_eventloop_lag_p50_seconds') * 1000,
      loopLagP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
      loopLagMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
      heapUsedBytes: value('nodejs_heap_size_used_bytes'),
      connections: value('rp_connections'),
      messages: messageCounts(text),
    };
  }

  async stop(): Promise<void> {
    if (!this.#exited) {
      const exited = new Promise<void>((resolve) => this.#proc.child.once('exit', () => resolve()));
      this.#proc.child.kill('SIGTERM');
      const timer = setTimeout(() => this.#proc.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.#dataDir) rmSync(this.#dataDir, { recursive: true, force: true });
  }
}
