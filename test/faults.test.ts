/**
 * Faults around the WebSocket transport: storage that goes away, a network that goes silent
 * without closing anything, a restart under thousands of connected viewers, and a node killed
 * with SIGKILL. The promise each time: fail closed, tell clients to come back, lose nothing
 * that was acknowledged, and converge once the fault is gone (R5, R11, R12).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { CLOSE_RETRY, PROTOCOL_VERSION } from '../src/core/protocol.js';
import type { ServerMessage } from '../src/core/protocol.js';
import { applyPatch, initialViewState } from '../src/core/view-state.js';
import type { ViewPatch, ViewState } from '../src/core/view-state.js';
import { ViewerClient } from '../src/sdk/index.js';
import type { PresenterClient, WebSocketFactory, WebSocketLike } from '../src/sdk/index.js';
import type { RunningServer } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import type { Peer } from '../src/server/realtime/hub.js';
import { openStore } from '../src/server/storage/open.js';
import type { PresentationRow } from '../src/server/storage/store.js';
import { ManualClock } from './support/clock.js';
import {
  PG_URL,
  RawClient,
  openTestStore,
  presenterFor,
  rawViewer,
  startHarness,
  until,
} from './support/harness.js';
import type { Harness, TestStore } from './support/harness.js';
import { freePort } from './support/redis-server.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** A dial the SDK made: when, and when that socket reported its close. */
interface Dial {
  at: number;
  closedAt: number | null;
}

/** A `ws` factory that records every dial, for reconnect timing. */
function recordingFactory(origin: string, dials: Dial[]): WebSocketFactory {
  return (url, protocols) => {
    const dial: Dial = { at: performance.now(), closedAt: null };
    dials.push(dial);
    const ws = new WebSocket(url, protocols, { headers: { origin } });
    ws.on('close', () => (dial.closedAt ??= performance.now()));
    return ws as unknown as WebSocketLike;
  };
}

/** A presenter inside the node, for tests whose subject is the viewers. */
class InProcessPresenter implements Peer {
  readonly connectionId = `inproc_${randomBytes(6).toString('hex')}`;
  readonly transport = 'ws' as const;
  send(): void {}
  buffered(): number {
    return 0;
  }
  close(): void {}
}

async function changeThroughHub(
  server: RunningServer,
  row: PresentationRow,
  patch: ViewPatch,
): Promise<void> {
  const hub = await server.realtime.hub(row);
  const ctx = hub.addPresenter(new InProcessPresenter(), {
    agentId: row.agentId,
    sessionHash: null,
    takeover: true,
  });
  hub.change(ctx, 1, patch);
  await hub.settle();
  hub.remove(ctx);
}

/**
 * A PostgreSQL database of its own, opened the way production opens one: without the schema
 * hook tests otherwise use, whose connection setup a fault could interrupt.
 */
async function scratchDatabase(): Promise<{
  url(port?: number, query?: string): string;
  drop(): Promise<void>;
}> {
  const name = `rp_faults_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return {
    url: (port = 5432, query = '') => `postgres://postgres@127.0.0.1:${port}/${name}${query}`,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      client.on('error', () => undefined);
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

// ---------------------------------------------------------------- storage unavailable

describe('storage unavailable', () => {
  it('SQLite closed under a running node: a viewer hello gets a retryable unavailable close, the link answers 503 (never 200), /readyz 503, and /healthz still answers', async () => {
    const h = await startHarness('sqlite', { HEARTBEAT_SECONDS: '300' });
    const anna = await h.login();
    const p = await anna.createPresentation();
    const before = await rawViewer(h, p.token);
    await before.waitFor('snapshot');
    before.close();

    await h.store.close();

    const viewer = await rawViewer(h, p.token);
    expect(await viewer.waitClosed()).toEqual({ code: CLOSE_RETRY, reason: 'unavailable' });
    expect(viewer.of('closing')[0]).toMatchObject({ reason: 'unavailable', retry: true });
    expect(viewer.of('welcome')).toHaveLength(0);

    const presenter = new RawClient(h.url, { origin: h.origin, cookie: anna.cookie });
    await presenter.opened;
    presenter.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', presentationId: p.id });
    expect(await presenter.waitClosed()).toEqual({ code: CLOSE_RETRY, reason: 'unavailable' });

    for (let i = 0; i < 10; i++) {
      const page = await fetch(`${h.url}/p/${p.token}`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('"code":"unavailable"');
    }
    const api = await anna.api<{ error: { code: string } }>('GET', '/api/v1/presentations');
    expect({ status: api.status, code: api.body.error.code }).toEqual({
      status: 503,
      code: 'unavailable',
    });
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    await h.close().catch(() => undefined);
  });

  it('PostgreSQL unreachable behind a proxy: links fail closed with 503 and unavailable, changes wait unacknowledged, and everything recovers when it returns', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
    const database = await scratchDatabase();
    const store = await openStore({ databaseUrl: database.url(proxy.port), dataDir: ':memory:' });
    const testStore: TestStore = {
      store,
      drop: async () => {
        await store.close();
        await database.drop();
      },
    };
    const h = await startHarness('postgres', { HEARTBEAT_SECONDS: '300' }, { store: testStore });
    try {
      const anna = await h.login();
      const p = await anna.createPresentation();
      const presenter = presenterFor(h, anna, p.id).connect();
      await until(() => expect(presenter.presenting).toBe(true));
      const watching = await rawViewer(h, p.token);
      await watching.waitFor('snapshot');

      proxy.refuse();

      const viewer = await rawViewer(h, p.token);
      expect(await viewer.waitClosed()).toEqual({ code: CLOSE_RETRY, reason: 'unavailable' });
      for (let i = 0; i < 10; i++) {
        const page = await fetch(`${h.url}/p/${p.token}`);
        expect(page.status).toBe(503);
        expect(await page.text()).toContain('"code":"unavailable"');
      }
      expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

      // The change reaches the open viewer, but is not acknowledged until it is stored (R5).
      presenter.change({ view: 'unit', unitId: 'b1-s1-f5-p2' });
      await watching.waitFor('patch');
      h.clock.advance(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(presenter.pending).toBe(1);

      proxy.accept();
      await until(async () => expect((await fetch(`${h.url}/readyz`)).status).toBe(200));
      // The hub retries its write with backoff on the node's clock.
      for (let i = 0; i < 10 && presenter.pending > 0; i++) {
        h.clock.advance(5000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(presenter.pending).toBe(0);
      const row = await store.presentations.findById(p.id);
      expect(JSON.parse(row!.stateJson)).toMatchObject({ view: 'unit', unitId: 'b1-s1-f5-p2' });
      expect((await fetch(`${h.url}/p/${p.token}`)).status).toBe(200);
      const back = await rawViewer(h, p.token);
      const [snapshot] = await back.waitFor('snapshot');
      expect(snapshot!.state).toEqual(presenter.state);
      presenter.close();
      back.close();
      watching.close();
    } finally {
      await h.close();
      await testStore.drop();
      await proxy.close();
    }
  });

  it("PostgreSQL backends of the node's pool terminated mid-request, round after round: no crash, every answer 200 or 503, and the next requests recover", async () => {
    const database = await scratchDatabase();
    // Tagged so that only this node's connections are terminated, not those of parallel tests.
    const application = `rp_faults_${process.pid}`;
    const store = await openStore({
      databaseUrl: database.url(5432, `?application_name=${application}`),
      dataDir: ':memory:',
    });
    const testStore: TestStore = {
      store,
      drop: async () => {
        await store.close();
        await database.drop();
      },
    };
    const h = await startHarness('postgres', { HEARTBEAT_SECONDS: '300' }, { store: testStore });
    const admin = new pg.Client({ connectionString: PG_URL });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      const anna = await h.login();
      const p = await anna.createPresentation();
      expect((await fetch(`${h.url}/p/${p.token}`)).status).toBe(200);

      // Backends go while requests are in flight, round after round.
      const terminate = () =>
        admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [application],
        );
      const seen: number[] = [];
      let terminated = 0;
      for (let round = 0; round < 8; round++) {
        const inFlight = Promise.all(
          ['/readyz', `/p/${p.token}`, '/readyz', `/p/${p.token}`, '/readyz'].map((path) =>
            fetch(`${h.url}${path}`).then((res) => res.status),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, round % 4));
        terminated += (await terminate()).rowCount ?? 0;
        seen.push(...(await inFlight));
      }
      expect(terminated).toBeGreaterThan(0);

      await until(async () => {
        const [ready, page] = await Promise.all([
          fetch(`${h.url}/readyz`),
          fetch(`${h.url}/p/${p.token}`),
        ]);
        seen.push(ready.status, page.status);
        expect([ready.status, page.status]).toEqual([200, 200]);
      }, 10_000);
      expect(seen.filter((status) => status !== 200 && status !== 503)).toEqual([]);

      const viewer = await rawViewer(h, p.token);
      await viewer.waitFor('snapshot');
      const res = await anna.api('GET', '/api/v1/presentations');
      expect(res.status).toBe(200);
      viewer.close();
    } finally {
      await admin.end();
      await h.close();
      await testStore.drop();
    }
  });
});

// ---------------------------------------------------------------- a silent network

describe('a silent network', () => {
  it('R11: a connection whose traffic is silently dropped is detected by both ends, and the viewer reconnects through the proxy once it resumes and converges', async () => {
    // The system clock here: the SDK's watchdog runs on real timers, two beats plus 5 s.
    const h = await startHarness(
      'sqlite',
      { HEARTBEAT_SECONDS: '1' },
      { clock: systemClock as unknown as ManualClock },
    );
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(h.url).port) });
    const dials: Dial[] = [];
    let viewer: ViewerClient | null = null;
    let presenter: PresenterClient | null = null;
    try {
      const anna = await h.login();
      const p = await anna.createPresentation();
      presenter = presenterFor(h, anna, p.id).connect();
      await until(() => expect(presenter!.presenting).toBe(true));
      viewer = new ViewerClient({
        baseUrl: proxy.url,
        token: p.token,
        deviceId: 'silent-device',
        device: 'phone',
        transport: 'ws',
        webSocket: recordingFactory(proxy.url, dials),
        baseDelayMs: 20,
        maxDelayMs: 200,
      }).connect();
      presenter.change({ view: 'grid' });
      await until(() => expect(viewer!.state?.view).toBe('grid'));
      await until(() => expect(presenter!.viewers).toHaveLength(1));

      proxy.pause();
      for (let i = 1; i <= 5; i++) presenter.change({ galleryIndex: i, floor: i });
      await until(() => expect(presenter!.pending).toBe(0));

      // The server hears nothing for two beats and drops the viewer (R11)…
      await until(() => expect(presenter!.viewers).toHaveLength(0), 10_000);
      // …and the SDK's watchdog gives up the silent socket, though it never saw a close, and
      // dials again into the still silent proxy.
      await until(() => expect(dials.length).toBeGreaterThanOrEqual(2), 15_000);
      expect(dials[0]!.closedAt === null || dials[0]!.closedAt >= dials[1]!.at).toBe(true);
      expect(viewer.state?.galleryIndex).toBe(0);

      proxy.resume();
      await until(() => expect(viewer!.state).toEqual(presenter!.state), 15_000);
      await until(() => expect(presenter!.viewers).toHaveLength(1));
      expect(viewer.status).toBe('open');
    } finally {
      viewer?.close();
      presenter?.close();
      await proxy.close();
      await h.close();
    }
  });
});

// ---------------------------------------------------------------- a reconnect storm

describe('a reconnect storm', () => {
  it('2,000 viewers of 400 presentations ride a graceful restart on the same port: they reconnect spread out by jitter, /healthz answers throughout, and all converge to the latest state', async () => {
    const PRESENTATIONS = 400;
    const PER_PRESENTATION = 5;
    const BASE_DELAY_MS = 1000;
    const env = {
      HEARTBEAT_SECONDS: '300',
      MAX_DEVICES: '10',
      MAX_CONNECTIONS_PER_IP: '10000',
    };
    const testStore = await openTestStore('sqlite');
    const clock = new ManualClock();
    let first: Harness | null = await startHarness('sqlite', env, { store: testStore, clock });
    let second: Harness | null = null;
    const viewers: { client: ViewerClient; dials: Dial[]; index: number }[] = [];

    try {
      const { store } = testStore;
      const agent = (await store.agents.findByEmail('anna@demo.local'))!;
      const buyer = {
        id: 'by_storm',
        agentId: agent.id,
        name: 'Buyer',
        contact: 'buyer@example.com',
        createdAt: clock.now(),
      };
      await store.buyers.create(buyer);
      const presentations: { row: PresentationRow; token: string }[] = [];
      for (let i = 0; i < PRESENTATIONS; i++) {
        presentations.push(await first.server.service.create(agent, { buyer }));
      }

      for (let batch = 0; batch < PRESENTATIONS * PER_PRESENTATION; batch += 400) {
        const joining = Array.from({ length: 400 }, (_, k) => {
          const index = Math.floor((batch + k) / PER_PRESENTATION);
          const dials: Dial[] = [];
          const client = new ViewerClient({
            baseUrl: first!.url,
            token: presentations[index]!.token,
            deviceId: `storm-device-${batch + k}`,
            device: 'phone',
            transport: 'ws',
            webSocket: recordingFactory(first!.origin, dials),
            baseDelayMs: BASE_DELAY_MS,
            maxDelayMs: 4 * BASE_DELAY_MS,
          }).connect();
          return { client, dials, index };
        });
        viewers.push(...joining);
        await until(() => {
          for (const v of joining) expect(v.client.state).not.toBeNull();
        }, 20_000);
      }

      const server = first.server;
      await Promise.all(
        presentations.map(({ row }) =>
          changeThroughHub(server, row, { highlighted: ['before'], galleryIndex: 1 }),
        ),
      );
      await until(() => {
        for (const v of viewers) expect(v.client.state?.highlighted).toEqual(['before']);
      }, 20_000);

      // Graceful shutdown: every viewer is told to come back (shutting_down, retryable).
      const port = new URL(first.url).port;
      await first.close();
      first = null;
      second = await startHarness('sqlite', { ...env, PORT: port }, { store: testStore, clock });
      const restarted = second;

      // The agent goes on at once, while the viewers are still finding their way back.
      const latest = new Map<number, ViewState>();
      await Promise.all(
        presentations.map(async ({ row }, i) => {
          const fresh = (await store.presentations.findById(row.id))!;
          const patch = { highlighted: ['after', `p${i}`], galleryIndex: 2 };
          await changeThroughHub(restarted.server, fresh, patch);
          latest.set(i, restarted.server.realtime.existingHub(row.id)!.state);
        }),
      );

      const health: { status: number; converged: number }[] = [];
      const converged = () =>
        viewers.filter(
          (v) =>
            v.client.status === 'open' &&
            JSON.stringify(v.client.state) === JSON.stringify(latest.get(v.index)),
        ).length;
      for (let round = 0; round < 600 && converged() < viewers.length; round++) {
        const res = await fetch(`${restarted.url}/healthz`);
        health.push({ status: res.status, converged: converged() });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      // Everyone came back and holds the latest state, at the node's sequence.
      expect(converged()).toBe(viewers.length);
      for (const v of viewers) {
        const hub = restarted.server.realtime.existingHub(presentations[v.index]!.row.id)!;
        expect(v.client.seq).toBe(hub.seq);
      }
      expect(health.length).toBeGreaterThan(0);
      expect(health.every((probe) => probe.status === 200)).toBe(true);
      expect(health.some((probe) => probe.converged < viewers.length)).toBe(true);

      // The first attempts back were spread over the backoff window, not fired at once.
      const delays = viewers
        .map(({ dials }) => dials[1]!.at - dials[0]!.closedAt!)
        .sort((a, b) => a - b);
      const at = (q: number) => delays[Math.floor(q * (delays.length - 1))]!;
      expect(at(0.9) - at(0.1)).toBeGreaterThan(0.4 * BASE_DELAY_MS);
      let densest = 0;
      for (let i = 0, j = 0; i < delays.length; i++) {
        while (delays[i]! - delays[j]! > 0.05 * BASE_DELAY_MS) j++;
        densest = Math.max(densest, i - j + 1);
      }
      expect(densest / delays.length).toBeLessThan(0.3);
    } finally {
      for (const v of viewers) v.client.close();
      await first?.close();
      await second?.close();
      await testStore.drop();
    }
  }, 90_000);
});

// ---------------------------------------------------------------- SIGKILL

class NodeProcess {
  readonly #child: ChildProcess;
  stderr = '';

  private constructor(
    readonly url: string,
    env: Record<string, string>,
  ) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(port: number, dataDir: string): Promise<NodeProcess> {
    const node = new NodeProcess(`http://127.0.0.1:${port}`, {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      HEARTBEAT_SECONDS: '300',
    });
    await until(async () => {
      if (node.#child.exitCode !== null) throw new Error(`node exited: ${node.stderr}`);
      expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    }, 20_000);
    return node;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.kill(signal);
    });
  }
}

/** The i-th change of the stream: each one moves fields a lost write would show. */
const streamed = (i: number): ViewPatch => ({
  galleryIndex: i % 100,
  floor: i % 200,
  highlighted: [`u${i}`],
});

describe('a node killed with SIGKILL', () => {
  it('R5: after kill -9 mid-presentation and a restart, the presentation resumes and no acknowledged change is lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rp-kill-'));
    const port = await freePort();
    let node: NodeProcess | null = await NodeProcess.start(port, dataDir);
    const url = node.url;
    const sockets: RawClient[] = [];
    try {
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'anna@demo.local', password: 'demo-password' }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const created = await fetch(`${url}/api/v1/presentations`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ buyer: { name: 'Buyer', contact: 'buyer@example.com' } }),
      });
      const body = (await created.json()) as {
        presentation: { id: string };
        link: { url: string };
      };
      const pid = body.presentation.id;
      const token = body.link.url.split('/p/')[1]!;

      const presenter = new RawClient(url, { origin: url, cookie });
      sockets.push(presenter);
      await presenter.opened;
      presenter.send({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'presenter',
        presentationId: pid,
      });
      await presenter.waitFor('snapshot');

      // A steady stream with up to 20 changes in flight; the node dies while it flows.
      let sent = 0;
      const stream = setInterval(() => {
        for (let i = 0; i < 3; i++) {
          if (presenter.closeCode !== null || sent - presenter.of('ack').length >= 20) return;
          sent++;
          presenter.send({ type: 'change', clientSeq: sent, patch: streamed(sent) });
        }
      }, 20);
      try {
        await until(() => expect(presenter.of('ack').length).toBeGreaterThanOrEqual(30), 15_000);
        await node.kill('SIGKILL');
        node = null;
      } finally {
        clearInterval(stream);
      }
      await presenter.waitClosed();
      const acks = presenter.of('ack');
      const last = acks.at(-1)!;
      expect(presenter.of('error')).toEqual([]);
      expect(acks.map((a) => a.seq)).toEqual(acks.map((a) => a.clientSeq));

      node = await NodeProcess.start(port, dataDir);
      const viewer = new RawClient(url, { origin: url });
      sockets.push(viewer);
      await viewer.opened;
      viewer.send({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'viewer',
        token,
        deviceId: 'device-after-kill',
        device: 'phone',
      });
      const [snapshot] = await viewer.waitFor('snapshot');
      // At least the last acknowledged change, and exactly the state of one whole change.
      expect(snapshot!.seq).toBeGreaterThanOrEqual(last.seq);
      let expected = initialViewState();
      for (let i = 1; i <= snapshot!.seq; i++) expected = applyPatch(expected, streamed(i));
      expect(snapshot!.state).toEqual(expected);

      // The agent comes back and presents on.
      const again = new RawClient(url, { origin: url, cookie });
      sockets.push(again);
      await again.opened;
      again.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', presentationId: pid });
      await again.waitFor('snapshot');
      again.send({ type: 'change', clientSeq: 1, patch: { view: 'unit', unitId: 'b1-s1-f5-p2' } });
      await again.waitFor('ack');
      await until(() => {
        const seen = viewer.frames.some(
          (f: ServerMessage) =>
            (f.type === 'patch' && f.patch.unitId === 'b1-s1-f5-p2') ||
            (f.type === 'snapshot' && f.state.unitId === 'b1-s1-f5-p2'),
        );
        expect(seen).toBe(true);
      });
    } finally {
      for (const socket of sockets) socket.close();
      await node?.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
