/**
 * Webhooks, delivered to a real HTTP receiver on 127.0.0.1 inside the test: signatures the
 * receiver verifies, retries with backoff, giving up, idempotency keys, claims shared between
 * dispatchers, and the agents' delivery routes. Time moves only when a test advances the
 * ManualClock; each worker pass is run by calling `tick()`.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AppError } from '../src/core/errors.js';
import { ConfigError, loadConfig } from '../src/server/config.js';
import { errorHandler } from '../src/server/http/errors.js';
import type { Activity } from '../src/server/presentations/activity.js';
import type { Store, WebhookDeliveryRow } from '../src/server/storage/store.js';
import {
  USER_AGENT,
  WebhookDispatcher,
  attemptsOf,
  backoffCapMs,
  retryDelayMs,
  signWebhook,
  verifyWebhookSignature,
  webhookRoutes,
} from '../src/server/webhooks/index.js';
import { ManualClock } from './support/clock.js';
import { BACKENDS, openTestStore, until } from './support/harness.js';
import type { TestStore } from './support/harness.js';
import { captureLogs } from './support/log-capture.js';

const SECRET = 'webhook-secret-webhook-secret-0123456789';
const silent = pino({ level: 'silent' });

// ---------------------------------------------------------------- the receiver

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The host system's end: records every request; can answer with errors, slowly, or never. */
class Receiver {
  readonly requests: Received[] = [];
  readonly #server: Server;
  readonly #failures: number[] = [];
  #hanging = false;
  #delayMs = 0;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (this.#hanging) return;
        const status = this.#failures.shift() ?? 200;
        setTimeout(() => res.writeHead(status).end(status < 300 ? 'ok' : 'nope'), this.#delayMs);
      });
    });
  }

  static async start(port = 0): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new Receiver(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/remote-presentation`;
  }

  /** Answers the next `count` requests with `status`. */
  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.#failures.push(status);
  }

  /** Takes requests in and never answers them while on. */
  hang(on = true): void {
    this.#hanging = on;
  }

  answerAfter(ms: number): void {
    this.#delayMs = ms;
  }

  ids(): string[] {
    return this.requests.map((r) => String(r.headers['x-rp-event-id']));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- fixtures

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

function dispatcherFor(
  store: Store,
  clock: ManualClock,
  url: string | undefined,
  options: { maxAttempts?: number; timeoutMs?: number; log?: pino.Logger } = {},
): WebhookDispatcher {
  return new WebhookDispatcher({
    store,
    clock,
    config: {
      webhookUrl: url,
      webhookSecret: SECRET,
      webhookMaxAttempts: options.maxAttempts ?? 8,
    },
    log: options.log ?? silent,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

function activities(presentationId: string): Activity[] {
  return [
    {
      type: 'presentation.created',
      presentationId,
      agentId: 'ag_anna',
      buyer: { id: 'by_1', name: 'Иван Петров', contact: '+7 916 000-00-00' },
      expiresAt: new Date(T0 + 3_600_000).toISOString(),
    },
    { type: 'buyer.joined', presentationId, deviceId: 'dev1', device: 'phone', transport: 'ws' },
    { type: 'reaction', presentationId, kind: 'call_me', unitId: 'u-12', deviceId: 'dev1' },
    { type: 'buyer.left', presentationId, deviceId: 'dev1', device: 'phone', transport: 'sse' },
    { type: 'link.revoked', presentationId, reason: 'reissued' },
    { type: 'presentation.handed_off', presentationId, fromAgentId: 'ag_a', toAgentId: 'ag_b' },
    { type: 'presentation.ended', presentationId, reason: 'agent_ended' },
  ];
}

function joined(presentationId: string): Activity {
  return {
    type: 'buyer.joined',
    presentationId,
    deviceId: 'dev1',
    device: 'phone',
    transport: 'ws',
  };
}

/** An agent, a buyer and a presentation, so deliveries have an owner. */
async function givenPresentation(store: Store, agentId: string): Promise<string> {
  const suffix = Math.random().toString(36).slice(2, 10);
  await store.agents.create({
    id: agentId,
    email: null,
    name: agentId,
    phone: null,
    passwordHash: null,
    createdAt: T0,
  });
  await store.buyers.create({
    id: `by_${suffix}`,
    agentId,
    name: 'Buyer',
    contact: '+7 900 000-00-00',
    createdAt: T0,
  });
  const id = `pr_${suffix}`;
  await store.presentations.create({
    id,
    agentId,
    buyerId: `by_${suffix}`,
    status: 'created',
    endReason: null,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    maxExpiresAt: T0 + 4 * 3_600_000,
    graceEndsAt: null,
    endedAt: null,
    maxDevices: 5,
    seq: 0,
    stateJson: '{}',
  });
  return id;
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function timestampOf(header: string | string[] | undefined): number {
  return Number(/t=(\d+)/.exec(String(header))?.[1]);
}

// ---------------------------------------------------------------- signatures

describe('webhook signatures', () => {
  const body = '{"id":"evt_1","type":"buyer.joined"}';
  const now = seconds(T0);

  it('accepts the signature the dispatcher makes, over a string or the raw bytes', () => {
    const header = signWebhook(SECRET, body, now);

    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, header, body, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(body), now + 299)).toBe(true);
  });

  it('refuses a tampered body and a different secret', () => {
    const header = signWebhook(SECRET, body, now);

    expect(verifyWebhookSignature(SECRET, header, body.replace('joined', 'left'), now)).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}x`, header, body, now)).toBe(false);
  });

  it('refuses a timestamp older or further ahead than the tolerance', () => {
    const header = signWebhook(SECRET, body, now);

    expect(verifyWebhookSignature(SECRET, header, body, now + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, now - 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, now + 301, 600)).toBe(true);
  });

  it('refuses a timestamp changed to look fresh', () => {
    const old = signWebhook(SECRET, body, now - 3600);
    const refreshed = old.replace(/t=\d+/, `t=${now}`);

    expect(verifyWebhookSignature(SECRET, refreshed, body, now)).toBe(false);
  });

  it('refuses malformed headers', () => {
    const v1 = signWebhook(SECRET, body, now).split(',')[1] ?? '';
    for (const header of [
      undefined,
      null,
      '',
      'garbage',
      v1,
      `t=${now}`,
      `t=${now},v1=abc`,
      `t=${now},t=${now - 10},${v1}`,
      `t=-${now},${v1}`,
    ]) {
      expect(verifyWebhookSignature(SECRET, header, body, now)).toBe(false);
    }
  });

  it('accepts a header in which any one of several v1 signatures matches', () => {
    const header = signWebhook(SECRET, body, now);
    const other = signWebhook('another-secret-another-secret-0000', body, now).split(',')[1];

    expect(verifyWebhookSignature(SECRET, `${header},${other}`, body, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `t=${now},${other}`, body, now)).toBe(false);
  });
});

describe('webhook backoff', () => {
  it('waits up to 2^n seconds after the n-th failure, at most an hour, at least a second', () => {
    expect([1, 2, 3, 11, 12, 30].map(backoffCapMs)).toEqual([
      2000, 4000, 8000, 2_048_000, 3_600_000, 3_600_000,
    ]);
    expect(retryDelayMs(3, () => 0)).toBe(1000);
    expect(retryDelayMs(3, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, () => 0.999_999)).toBeLessThan(8000);
  });
});

describe('webhook configuration', () => {
  function problemsOf(env: Record<string, string>): string[] {
    try {
      loadConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('loadConfig accepted the environment');
  }

  it('leaves webhooks off by default, with eight attempts', () => {
    expect(loadConfig({})).toMatchObject({
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookMaxAttempts: 8,
    });
  });

  it('reads the URL, the secret and the attempts', () => {
    expect(
      loadConfig({
        WEBHOOK_URL: 'https://crm.example.com/hooks',
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_MAX_ATTEMPTS: '12',
      }),
    ).toMatchObject({
      webhookUrl: 'https://crm.example.com/hooks',
      webhookSecret: SECRET,
      webhookMaxAttempts: 12,
    });
  });

  it('reports a URL without a secret together with every other problem', () => {
    const problems = problemsOf({ WEBHOOK_URL: 'https://crm.example.com/h', PORT: 'x' });

    expect(problems).toContain('WEBHOOK_SECRET: required when WEBHOOK_URL is set');
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
  });

  it('refuses a short secret, a URL that is not http(s) and a bad number of attempts', () => {
    const problems = problemsOf({
      WEBHOOK_URL: 'ftp://crm.example.com/h',
      WEBHOOK_SECRET: 'short',
      WEBHOOK_MAX_ATTEMPTS: '0',
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        'WEBHOOK_URL: must be an http:// or https:// URL',
        'WEBHOOK_SECRET: must be at least 32 characters',
      ]),
    );
    expect(problems.some((p) => p.startsWith('WEBHOOK_MAX_ATTEMPTS:'))).toBe(true);
    expect(problems).not.toContain('WEBHOOK_SECRET: required when WEBHOOK_URL is set');
  });
});

describe('a webhook dispatcher without a store that works', () => {
  it('does not throw from record when the insert fails, and logs why', async () => {
    const logs = captureLogs('info');
    const broken = {
      webhooks: { create: () => Promise.reject(new Error('disk full')) },
    } as unknown as Store;
    const dispatcher = dispatcherFor(broken, new ManualClock(), 'http://127.0.0.1:1/', {
      log: logs.logger,
    });

    expect(() => dispatcher.record(joined('pr_1'), T0)).not.toThrow();
    await dispatcher.stop();

    expect(logs.text()).toContain('webhook not queued');
    expect(logs.text()).toContain('disk full');
    expect(logs.text()).not.toContain(SECRET);
  });
});

// ---------------------------------------------------------------- delivery, on each backend

describe.each(BACKENDS)('webhook delivery on %s', (backend) => {
  let testStore: TestStore;
  let store: Store;
  let clock: ManualClock;
  let receiver: Receiver;
  let presentationId: string;
  const dispatchers: WebhookDispatcher[] = [];
  const receivers: Receiver[] = [];

  beforeEach(async () => {
    testStore = await openTestStore(backend);
    store = testStore.store;
    clock = new ManualClock(T0);
    receiver = await Receiver.start();
    receivers.push(receiver);
    presentationId = await givenPresentation(store, 'ag_anna');
  });

  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const r of receivers.splice(0)) await r.close();
    await testStore.drop();
  });

  function dispatcher(
    url = receiver.url,
    options: Parameters<typeof dispatcherFor>[3] = {},
  ): WebhookDispatcher {
    const d = dispatcherFor(store, clock, url, options);
    dispatchers.push(d);
    return d;
  }

  async function deliveries(): Promise<WebhookDeliveryRow[]> {
    return store.webhooks.listForAgent('ag_anna');
  }

  async function onlyDelivery(): Promise<WebhookDeliveryRow> {
    const rows = await deliveries();
    expect(rows).toHaveLength(1);
    return rows[0] as WebhookDeliveryRow;
  }

  it('delivers an activity as a signed POST that the receiver verifies', async () => {
    const d = dispatcher();
    const [created] = activities(presentationId);
    const at = clock.now();

    d.record(created as Activity, at);
    await d.tick();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests as [Received];
    const body = JSON.parse(request.body) as { id: string };
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe(USER_AGENT);
    expect(request.headers['x-rp-event-type']).toBe('presentation.created');
    expect(request.headers['x-rp-event-id']).toMatch(/^evt_[A-Za-z0-9_-]+$/);
    expect(body).toEqual({
      id: request.headers['x-rp-event-id'],
      type: 'presentation.created',
      createdAt: new Date(at).toISOString(),
      data: {
        presentationId,
        agentId: 'ag_anna',
        buyer: { id: 'by_1', name: 'Иван Петров', contact: '+7 916 000-00-00' },
        expiresAt: new Date(T0 + 3_600_000).toISOString(),
      },
    });
    const signature = String(request.headers['x-rp-signature']);
    expect(timestampOf(signature)).toBe(seconds(clock.now()));
    expect(verifyWebhookSignature(SECRET, signature, request.body, seconds(clock.now()))).toBe(
      true,
    );

    const row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: clock.now() });
    expect(attemptsOf(row)).toEqual([
      { at: clock.now(), statusCode: 200, error: null, durationMs: expect.any(Number) },
    ]);
  });

  it('delivers every kind of activity, a hand-off included, under its own type', async () => {
    const d = dispatcher();
    const all = activities(presentationId);

    for (const activity of all) d.record(activity, clock.now());
    await d.tick();

    const types = receiver.requests.map((r) => r.headers['x-rp-event-type']);
    expect(types.sort()).toEqual(all.map((a) => a.type).sort());
    for (const request of receiver.requests) {
      const body = JSON.parse(request.body) as { type: string; data: Record<string, unknown> };
      expect(body.type).toBe(request.headers['x-rp-event-type']);
      expect(body.data).not.toHaveProperty('type');
      expect(body.data.presentationId).toBe(presentationId);
    }
    expect(new Set(receiver.ids()).size).toBe(all.length);
  });

  it('retries after 500s with backoff, then delivers, with one event id throughout', async () => {
    const d = dispatcher();
    receiver.failNext(2, 500);

    d.record(joined(presentationId), clock.now());
    await d.tick();
    let row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(1000);
    expect(row.nextAttemptAt - clock.now()).toBeLessThanOrEqual(backoffCapMs(1));

    // Not due yet: a pass now sends nothing.
    await d.tick();
    expect(receiver.requests).toHaveLength(1);

    clock.advance(backoffCapMs(1));
    await d.tick();
    row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row.nextAttemptAt - clock.now()).toBeLessThanOrEqual(backoffCapMs(2));

    clock.advance(backoffCapMs(2));
    await d.tick();
    row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(attemptsOf(row).map((a) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);

    expect(receiver.ids()).toEqual([row.id, row.id, row.id]);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.requests) {
      const signature = String(request.headers['x-rp-signature']);
      const t = timestampOf(signature);
      expect(verifyWebhookSignature(SECRET, signature, request.body, t)).toBe(true);
    }
  });

  it('retries after the connection is refused, then delivers once the receiver is back', async () => {
    const { port, url } = receiver;
    await receiver.close();
    receivers.splice(receivers.indexOf(receiver), 1);
    const d = dispatcher(url);

    d.record(joined(presentationId), clock.now());
    await d.tick();

    let row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    const [refused] = attemptsOf(row);
    expect(refused?.statusCode).toBeNull();
    expect(refused?.error).toMatch(/ECONNREFUSED/);

    receiver = await Receiver.start(port);
    receivers.push(receiver);
    clock.advance(backoffCapMs(1));
    await d.tick();

    row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(receiver.ids()).toEqual([row.id]);
  });

  it('records a receiver that does not answer in time as a failed attempt', async () => {
    const d = dispatcher(receiver.url, { timeoutMs: 200 });
    receiver.hang();

    d.record(joined(presentationId), clock.now());
    await d.tick();

    let row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(attemptsOf(row)[0]).toMatchObject({
      statusCode: null,
      error: 'timed out after 200 ms',
    });

    receiver.hang(false);
    clock.advance(backoffCapMs(1));
    await d.tick();

    row = await onlyDelivery();
    expect(row.status).toBe('delivered');
    expect(receiver.ids()).toEqual([row.id, row.id]);
  });

  it('gives up after the last attempt, and sends again with the same id once re-queued', async () => {
    const d = dispatcher(receiver.url, { maxAttempts: 3 });
    receiver.failNext(3, 503);

    d.record(joined(presentationId), clock.now());
    for (let attempt = 1; attempt <= 3; attempt++) {
      await d.tick();
      clock.advance(backoffCapMs(attempt));
    }

    let row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'failed', attempts: 3, deliveredAt: null });
    clock.advance(24 * 3_600_000);
    await d.tick();
    expect(receiver.requests).toHaveLength(3);

    expect(await store.webhooks.requeue(row.id, clock.now())).toBe(true);
    await d.tick();

    row = await onlyDelivery();
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(attemptsOf(row).map((a) => a.statusCode)).toEqual([503, 503, 503, 200]);
    expect(receiver.ids()).toEqual([row.id, row.id, row.id, row.id]);
  });

  it('sends each event once when two dispatchers share the store', async () => {
    const first = dispatcher();
    const second = dispatcher();
    receiver.answerAfter(50);

    for (let i = 0; i < 6; i++) {
      (i % 2 === 0 ? first : second).record(joined(presentationId), clock.now());
    }
    await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
    await Promise.all([first.tick(), second.tick()]);

    expect(receiver.requests).toHaveLength(6);
    expect(new Set(receiver.ids()).size).toBe(6);
    const rows = await deliveries();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(['delivered', 1]));
  });

  it('works through the queue every second once started, and stops when told', async () => {
    const d = dispatcher();
    d.start();

    d.record(joined(presentationId), clock.now());
    clock.advance(1000);
    await until(() => expect(receiver.requests).toHaveLength(1));

    await d.stop();
    d.record(joined(presentationId), clock.now());
    clock.advance(5000);
    await d.tick();

    expect(receiver.requests).toHaveLength(1);
    const rows = await deliveries();
    expect(rows.map((r) => r.status).sort()).toEqual(['delivered', 'pending']);
  });

  it('queues nothing and sends nothing without a webhook URL', async () => {
    const d = dispatcherFor(store, clock, undefined);
    dispatchers.push(d);
    d.start();

    d.record(joined(presentationId), clock.now());
    clock.advance(5000);
    await d.tick();
    await d.stop();

    expect(d.enabled).toBe(false);
    expect(await deliveries()).toEqual([]);
  });
});

// ---------------------------------------------------------------- the agents' routes

describe.each(BACKENDS)('webhook delivery routes on %s', (backend) => {
  let testStore: TestStore;
  let store: Store;
  let clock: ManualClock;
  let receiver: Receiver;
  let app: FastifyInstance;
  let presentationId: string;
  let dispatcher: WebhookDispatcher;

  /** Stands in for the agent routes' guard: the agent's id in a header, or 401. */
  async function requireAgent(request: FastifyRequest): Promise<{ agent: { id: string } }> {
    const id = request.headers['x-test-agent'];
    if (typeof id !== 'string') throw new AppError('unauthorized');
    return { agent: { id } };
  }

  beforeEach(async () => {
    testStore = await openTestStore(backend);
    store = testStore.store;
    clock = new ManualClock(T0);
    receiver = await Receiver.start();
    presentationId = await givenPresentation(store, 'ag_anna');
    await givenPresentation(store, 'ag_boris');
    dispatcher = dispatcherFor(store, clock, receiver.url, { maxAttempts: 1 });

    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(errorHandler);
    webhookRoutes(app, { store, requireAgent, now: () => clock.now() });
    await app.ready();
  });

  afterEach(async () => {
    await dispatcher.stop();
    await app.close();
    await receiver.close();
    await testStore.drop();
  });

  function as(agentId: string | null) {
    return agentId === null ? {} : { 'x-test-agent': agentId };
  }

  async function failedDelivery(): Promise<string> {
    receiver.failNext(1, 500);
    dispatcher.record(joined(presentationId), clock.now());
    await dispatcher.tick();
    const [row] = await store.webhooks.listForAgent('ag_anna');
    expect(row?.status).toBe('failed');
    return row?.id ?? '';
  }

  it('answers 401 without an agent, on the list and on a retry', async () => {
    const id = await failedDelivery();

    const list = await app.inject({ method: 'GET', url: '/api/v1/webhooks/deliveries' });
    const retry = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${id}/retry`,
    });

    for (const res of [list, retry]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await store.webhooks.find(id))?.status).toBe('failed');
  });

  it("lists the agent's own deliveries with every attempt, and none of another's", async () => {
    receiver.failNext(1, 500);
    dispatcher.record(joined(presentationId), clock.now());
    await dispatcher.tick();
    dispatcher.record({ type: 'presentation.ended', presentationId, reason: 'expired' }, T0 + 5);
    clock.advance(10);
    await dispatcher.tick();

    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/webhooks/deliveries',
      headers: as('ag_anna'),
    });

    expect(res.statusCode).toBe(200);
    const { deliveries } = res.json<{ deliveries: Record<string, unknown>[] }>();
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toMatchObject({
      type: 'presentation.ended',
      presentationId,
      status: 'delivered',
      createdAt: new Date(T0 + 5).toISOString(),
      nextAttemptAt: null,
      deliveredAt: new Date(T0 + 10).toISOString(),
      attempts: [{ at: new Date(T0 + 10).toISOString(), statusCode: 200, error: null }],
      payload: { type: 'presentation.ended', data: { presentationId, reason: 'expired' } },
    });
    expect(deliveries[1]).toMatchObject({
      type: 'buyer.joined',
      status: 'failed',
      deliveredAt: null,
      attempts: [{ at: new Date(T0).toISOString(), statusCode: 500, error: 'HTTP 500' }],
    });

    const filtered = await app.inject({
      method: 'GET',
      url: '/api/v1/webhooks/deliveries?status=failed&limit=5',
      headers: as('ag_anna'),
    });
    expect(filtered.json<{ deliveries: { type: string }[] }>().deliveries).toMatchObject([
      { type: 'buyer.joined' },
    ]);

    const others = await app.inject({
      method: 'GET',
      url: '/api/v1/webhooks/deliveries',
      headers: as('ag_boris'),
    });
    expect(others.json()).toEqual({ deliveries: [] });
  });

  it('refuses an unknown status or limit with invalid_request', async () => {
    for (const query of ['status=lost', 'limit=0', 'limit=many']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/webhooks/deliveries?${query}`,
        headers: as('ag_anna'),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    }
  });

  it('re-queues a failed delivery on retry, which the worker then delivers', async () => {
    const id = await failedDelivery();
    clock.advance(60_000);

    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${id}/retry`,
      headers: as('ag_anna'),
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      delivery: { id, status: 'pending', nextAttemptAt: new Date(clock.now()).toISOString() },
    });
    await dispatcher.tick();
    expect((await store.webhooks.find(id))?.status).toBe('delivered');
    expect(receiver.ids()).toEqual([id, id]);
  });

  it("refuses to retry another agent's delivery, an unknown one, or one not failed", async () => {
    const id = await failedDelivery();
    const retry = (deliveryId: string, agentId: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/webhooks/deliveries/${deliveryId}/retry`,
        headers: as(agentId),
      });

    const foreign = await retry(id, 'ag_boris');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ error: { code: 'forbidden' } });

    const unknown = await retry('evt_nothing', 'ag_anna');
    expect(unknown.statusCode).toBe(404);

    expect((await retry(id, 'ag_anna')).statusCode).toBe(200);
    const twice = await retry(id, 'ag_anna');
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'invalid_transition' } });
  });

  it('documents both routes in the OpenAPI document under the webhooks tag', async () => {
    const documented = Fastify();
    documented.setValidatorCompiler(validatorCompiler);
    documented.setSerializerCompiler(serializerCompiler);
    await documented.register(fastifySwagger, {
      openapi: { info: { title: 'test', version: '1' } },
      transform: jsonSchemaTransform,
    });
    webhookRoutes(documented, { store, requireAgent });
    await documented.ready();

    const { paths } = documented.swagger() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    await documented.close();

    expect(paths['/api/v1/webhooks/deliveries']?.get?.tags).toEqual(['webhooks']);
    expect(paths['/api/v1/webhooks/deliveries/{id}/retry']?.post?.tags).toEqual(['webhooks']);
  });
});
