/**
 * Several nodes as separate processes, the way docs/deploy.md runs them: `src/server/main.ts`
 * per node, configured by environment only, on a fresh PostgreSQL database and a private
 * Redis, with Debian's nginx in front running deploy/nginx.conf. Nodes die here by SIGKILL and
 * stop by SIGTERM; the viewers must ride through both without a reload.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { readFileSync } from 'node:fs';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { VIEWS } from '../src/core/view-state.js';
import type { ViewPatch } from '../src/core/view-state.js';
import type { ClosedEvent } from '../src/sdk/index.js';
import {
  Cluster,
  NGINX_TEMPLATE,
  Nginx,
  RecordedViewer,
  connectionsOn,
  presenterAt,
  signIn,
} from './support/cluster.js';
import type { NodeProcess, ViewerTransport } from './support/cluster.js';
import { until } from './support/harness.js';
import type { Agent } from './support/harness.js';
import { freePort } from './support/redis-server.js';

/** Cross-process waits: generous, since the whole suite may share the two cores. */
const WAIT_MS = 15_000;

/** The i-th change of a scenario: moves several fields, so a lost patch shows in the state. */
const change = (i: number): ViewPatch => ({
  view: VIEWS[i % VIEWS.length]!,
  floor: i % 200,
  galleryIndex: i % 100,
});

type Presenter = ReturnType<typeof presenterAt>;

async function presenting(p: Presenter): Promise<void> {
  p.client.connect();
  await until(() => expect(p.client.presenting).toBe(true), WAIT_MS);
}

async function watching(viewer: RecordedViewer): Promise<RecordedViewer> {
  viewer.connect();
  await until(() => expect(viewer.client.state).not.toBeNull(), WAIT_MS);
  return viewer;
}

/**
 * Every viewer has the presenter's final state, the one the server took, and got there through
 * a history without gaps: consecutive patches within a connection, a snapshot only to start
 * one. The presenter may learn that the server took its last change from a snapshot before the
 * ack arrives, so its own sequence, not its latest ack, is what the viewers must reach.
 */
async function expectConverged(
  p: Presenter,
  viewers: RecordedViewer[],
  history: { resyncs?: boolean } = {},
): Promise<void> {
  await until(() => expect(p.client.pending).toBe(0), WAIT_MS);
  await until(() => {
    for (const viewer of viewers) expect(viewer.client.seq).toBe(p.client.seq);
  }, WAIT_MS);
  for (const viewer of viewers) {
    expect(viewer.historyProblems(history)).toEqual([]);
    expect(viewer.client.state).toEqual(p.client.state);
    expect(viewer.deliveries().at(-1)?.state).toEqual(p.client.state);
    expect(viewer.client.status).toBe('open');
  }
}

describe('deploy/nginx.conf in front of a stand-in node', () => {
  let upstream: Server;
  let nginx: Nginx;
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      if (req.url?.startsWith('/rt/')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write('event: ready\ndata: 1\n\n');
        return; // held open, as an event stream is, until the client goes
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
    });
    const port = await freePort();
    await new Promise<void>((resolve) => upstream.listen(port, '127.0.0.1', resolve));
    nginx = await Nginx.start([`127.0.0.1:${port}`]);
  });

  afterAll(async () => {
    await nginx?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('forwards the original host and scheme, and the client address instead of a forged one', async () => {
    const res = await fetch(`${nginx.url}/api/v1/anything`, {
      headers: {
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
    });
    const headers = (await res.json()) as IncomingHttpHeaders;
    const host = new URL(nginx.url).host;
    expect(headers).toMatchObject({
      host,
      'x-forwarded-host': host,
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '127.0.0.1',
    });
    // No `Connection: close`: the upstream keepalive connections get reused.
    expect(headers.connection).toBeUndefined();
  });

  it('streams /rt/ responses as the node writes them, while the stream stays open', async () => {
    const res = await fetch(`${nginx.url}/rt/sessions/s1/events`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(new TextDecoder().decode(first.value)).toBe('event: ready\ndata: 1\n\n');
    await reader.cancel();
  });

  it('refuses a body over 64 KiB with 413 before a node sees it', async () => {
    const res = await fetch(`${nginx.url}/api/v1/too-big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(65 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(seen.some((r) => r.path === '/api/v1/too-big')).toBe(false);
  });

  it('does not expose /metrics to the outside', async () => {
    const res = await fetch(`${nginx.url}/metrics`);
    expect(res.status).toBe(404);
    expect(seen.some((r) => r.path === '/metrics')).toBe(false);
  });

  it('holds sockets longer than two heartbeats and event streams longer than a 30 s poll', () => {
    const conf = readFileSync(NGINX_TEMPLATE, 'utf8');
    const block = (location: string) => {
      const body = conf.match(new RegExp(`location ${location} \\{([^}]*)\\}`))?.[1] ?? '';
      const seconds = Number(body.match(/proxy_read_timeout (\d+)s;/)?.[1] ?? 0);
      return { body, seconds };
    };
    const defaultHeartbeatSeconds = 15;
    expect(block('= /ws').seconds).toBeGreaterThan(2 * defaultHeartbeatSeconds);
    expect(block('/rt/').seconds).toBeGreaterThan(30);
    expect(block('/rt/').body).toContain('proxy_buffering off;');
  });
});

describe('several node processes on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let n1: NodeProcess;
  let n2: NodeProcess;
  let n3: NodeProcess;
  let anna: Agent;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start(3);
    [n1, n2, n3] = cluster.nodes as [NodeProcess, NodeProcess, NodeProcess];
    anna = await signIn(n1.url);
  }, 60_000);

  afterEach(async (context) => {
    for (const client of open.splice(0)) client.close();
    if (context.task.result?.state === 'fail') console.error(cluster.logs());
    // The tests count sockets per node, so the next one starts once these have closed.
    await until(async () => {
      for (const node of cluster.nodes.filter((n) => n.running)) {
        expect(await connectionsOn(node, 'presenter')).toBe(0);
        expect(await connectionsOn(node, 'viewer')).toBe(0);
      }
    }, WAIT_MS);
  });

  afterAll(async () => {
    await cluster?.close();
  }, 30_000);

  function presenterOn(base: string, agent: Agent, id: string): Presenter {
    const p = presenterAt(base, agent, id);
    open.push(p.client);
    return p;
  }

  function viewerOn(base: string, token: string, transport?: ViewerTransport): RecordedViewer {
    const viewer = new RecordedViewer(base, token, transport);
    open.push(viewer);
    return viewer;
  }

  /** A new presentation, presented through node 1 and watched through nodes 2 and 3. */
  async function presentingOn1WatchedOn2And3() {
    const p = await anna.createPresentation();
    const presenter = presenterOn(n1.url, anna, p.id);
    await presenting(presenter);
    const viewers = await Promise.all([
      watching(viewerOn(n2.url, p.token)),
      watching(viewerOn(n3.url, p.token)),
    ]);
    return { presenter, viewers };
  }

  it('R4: a presenter on node 1 and viewers on nodes 2 and 3 converge to the same state', async () => {
    const { presenter, viewers } = await presentingOn1WatchedOn2And3();

    for (let i = 1; i <= 40; i++) presenter.client.change(change(i));

    await expectConverged(presenter, viewers);
    expect(presenter.acked.seq).toBe(40);
    for (const viewer of viewers) {
      expect(viewer.connections).toHaveLength(1);
      expect(viewer.deliveries().map((d) => d.seq)).toEqual([...Array(41).keys()]);
    }
  });

  it('R16: revoking through node 1 cuts a viewer on node 3 with a fatal close', async () => {
    const p = await anna.createPresentation();
    const viewer = await watching(viewerOn(n3.url, p.token));
    const closed = new Promise<ClosedEvent>((resolve) => viewer.client.on('closed', resolve));

    const res = await anna.api('POST', `/api/v1/presentations/${p.id}/revoke`);
    expect(res.status).toBe(200);

    expect(await closed).toMatchObject({ reason: 'revoked', fatal: true });
    await until(() => expect(viewer.closes()).toEqual(['4001 revoked']), WAIT_MS);
    expect(viewer.connections).toHaveLength(1);
    const page = await fetch(`${n2.url}/p/${p.token}`);
    expect(page.status).toBe(410);
  });

  it('mirrors through nginx in front of two nodes: sign-in, link, presenter and viewers', async () => {
    const nginx = await cluster.proxy([n1, n2]);
    const agent = await signIn(nginx.url);
    const p = await agent.createPresentation();
    // The node built the link from X-Forwarded-Proto and -Host: it points at nginx.
    expect(p.url.startsWith(`${nginx.url}/p/`)).toBe(true);

    const presenter = presenterOn(nginx.url, agent, p.id);
    await presenting(presenter);
    const viewers = [
      await watching(viewerOn(nginx.url, p.token)),
      await watching(viewerOn(nginx.url, p.token)),
    ];
    // Round robin put the three sockets on both nodes, so Redis carried the changes across.
    const sockets = async (node: NodeProcess) =>
      (await connectionsOn(node, 'presenter')) + (await connectionsOn(node, 'viewer'));
    expect(await sockets(n1)).toBeGreaterThan(0);
    expect(await sockets(n2)).toBeGreaterThan(0);

    for (let i = 1; i <= 25; i++) presenter.client.change(change(i));
    await expectConverged(presenter, viewers);

    // The buyer opens the link through nginx; its token stays out of nginx's access log.
    const page = await fetch(p.url);
    expect(page.status).toBe(200);
    await page.arrayBuffer();
    await until(() => expect(nginx.accessLog()).toContain('"GET /p/[token]" 200'), WAIT_MS);
    expect(nginx.accessLog()).not.toContain(p.token);
  });

  it('viewers on SSE and long-polling follow through nginx, each on one session', async () => {
    const nginx = await cluster.proxy([n1, n2]);
    const p = await anna.createPresentation();
    const presenter = presenterOn(n1.url, anna, p.id);
    await presenting(presenter);
    const viewers = [
      await watching(viewerOn(nginx.url, p.token, 'sse')),
      await watching(viewerOn(nginx.url, p.token, 'poll')),
    ];

    for (let i = 1; i <= 20; i++) {
      presenter.client.change(change(i));
      await until(() => expect(presenter.acked.seq).toBe(i), WAIT_MS);
    }
    await expectConverged(presenter, viewers);
    // Every request of a session reached the node that opened it: no session was lost.
    for (const viewer of viewers) expect(viewer.connections).toHaveLength(1);
  });

  it('Redis restarted mid-presentation: viewers on nodes 2 and 3 converge, a change made meanwhile included', async () => {
    const { presenter, viewers } = await presentingOn1WatchedOn2And3();
    for (let i = 1; i <= 10; i++) presenter.client.change(change(i));
    await expectConverged(presenter, viewers);

    await cluster.redis.stop();
    // Made while Redis is down: refused as unavailable, then re-sent by the SDK once it is back.
    presenter.client.change({ view: 'shortlist', floor: 77, galleryIndex: 7 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cluster.redis.start();

    // Nodes that missed entries while Redis was away catch up by snapshot, never by a gap.
    await expectConverged(presenter, viewers, { resyncs: true });
    for (const viewer of viewers) {
      expect(viewer.client.state).toMatchObject({ view: 'shortlist', floor: 77, galleryIndex: 7 });
    }
    // Numbering went on from where it was, though Redis came back empty.
    expect(presenter.client.seq).toBeGreaterThan(10);
  });

  it('a presenter whose node is killed moves through nginx to another node and keeps its sequence', async () => {
    const nginx = await cluster.proxy([n2, n3]);
    const p = await anna.createPresentation();
    const presenter = presenterOn(nginx.url, anna, p.id);
    await presenting(presenter);
    const viewers = [await watching(viewerOn(n1.url, p.token))];
    for (let i = 1; i <= 10; i++) presenter.client.change(change(i));
    await expectConverged(presenter, viewers);
    expect(presenter.acked.seq).toBe(10);

    const home = (await connectionsOn(n2, 'presenter')) === 1 ? n2 : n3;
    const other = home === n2 ? n3 : n2;
    expect(await connectionsOn(home, 'presenter')).toBe(1);
    try {
      await home.kill('SIGKILL');
      await until(async () => expect(await connectionsOn(other, 'presenter')).toBe(1), WAIT_MS);
      await until(() => expect(presenter.client.presenting).toBe(true), WAIT_MS);

      for (let i = 11; i <= 20; i++) {
        presenter.client.change(change(i));
        await until(() => expect(presenter.acked.seq).toBe(i), WAIT_MS);
      }
      await expectConverged(presenter, viewers);
      // Every change got the next number: none reused, none skipped, no restart from zero.
      expect(viewers[0]!.connections).toHaveLength(1);
      expect(viewers[0]!.deliveries().map((d) => d.seq)).toEqual([...Array(21).keys()]);
    } finally {
      presenter.client.close();
      if (home === n2) n2 = await cluster.revive(n2);
      else n3 = await cluster.revive(n3);
    }
  });

  it('viewers of a node killed with SIGKILL reconnect through nginx and converge, no reload', async () => {
    const nginx = await cluster.proxy([n1, n2, n3]);
    const p = await anna.createPresentation();
    const presenter = presenterOn(n1.url, anna, p.id);
    await presenting(presenter);
    // One after another, so round robin gives each node one viewer.
    const viewers: RecordedViewer[] = [];
    for (let i = 0; i < 3; i++) viewers.push(await watching(viewerOn(nginx.url, p.token)));
    const onNode2 = await connectionsOn(n2);
    expect(onNode2).toBe(1);
    for (let i = 1; i <= 10; i++) presenter.client.change(change(i));
    await expectConverged(presenter, viewers);

    expect(await n2.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // The agent goes on presenting while node 2 is gone, one acknowledged change at a time.
    for (let i = 11; i <= 40; i++) {
      presenter.client.change(change(i));
      await until(() => expect(presenter.acked.seq).toBe(i), WAIT_MS);
    }
    await expectConverged(presenter, viewers);

    const moved = viewers.filter((v) => v.connections.length > 1);
    expect(moved).toHaveLength(onNode2);
    for (const viewer of moved) expect(viewer.closes()[0]).toBe('1006 ');
    // Plain requests through nginx skip the dead node too.
    for (let i = 0; i < 6; i++) {
      expect((await fetch(`${nginx.url}/readyz`)).status).toBe(200);
    }
  });

  it('R12: a node stopped with SIGTERM tells its viewers to reconnect, and they do', async () => {
    const nginx = await cluster.proxy([n1, n3]);
    const p = await anna.createPresentation();
    const presenter = presenterOn(n1.url, anna, p.id);
    await presenting(presenter);
    const viewers: RecordedViewer[] = [];
    for (let i = 0; i < 2; i++) viewers.push(await watching(viewerOn(nginx.url, p.token)));
    const onNode3 = await connectionsOn(n3);
    expect(onNode3).toBe(1);

    const exit = n3.kill('SIGTERM');
    for (let i = 1; i <= 20; i++) {
      presenter.client.change(change(i));
      await until(() => expect(presenter.acked.seq).toBe(i), WAIT_MS);
    }
    expect(await exit).toEqual({ code: 0, signal: null });
    await expectConverged(presenter, viewers);

    const moved = viewers.filter((v) => v.connections.length > 1);
    expect(moved).toHaveLength(onNode3);
    for (const viewer of moved) expect(viewer.closes()[0]).toBe('4002 shutting_down');
  });
});
