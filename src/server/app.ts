/**
 * Assembles one node: storage, the presentation service, the realtime side and the HTTP
 * routes. `startServer` is what `main.ts` runs and what the integration tests start, several
 * times in one process if they like.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants } from 'node:zlib';

import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import pino from 'pino';
import type { Logger } from 'pino';

import { AppError } from '../core/errors.js';
import type { TransportKind } from '../core/protocol.js';
import { AgentAuth } from './agents/auth.js';
import { hashPassword } from './agents/passwords.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { agentGuard, agentRoutes } from './http/agent-routes.js';
import { startHousekeeping } from './housekeeping.js';
import { errorHandler } from './http/errors.js';
import { opsRoutes } from './http/ops-routes.js';
import { sendInvalidLink, viewerRoutes } from './http/viewer-routes.js';
import { Catalogue } from './inventory/catalogue.js';
import { DEMO_AGENTS } from './inventory/demo.js';
import { loggerOptions } from './log.js';
import { Metrics } from './metrics.js';
import { ActivityFanOut } from './presentations/activity.js';
import { PresentationService } from './presentations/service.js';
import type { PresentationBus } from './realtime/bus.js';
import { MemoryBus } from './realtime/memory-bus.js';
import { Realtime } from './realtime/realtime.js';
import { RedisBus } from './realtime/redis-bus.js';
import { HttpTransport } from './realtime/http-transport.js';
import { WsTransport } from './realtime/ws-transport.js';
import { openStore } from './storage/open.js';
import { WebhookDispatcher, webhookRoutes } from './webhooks/index.js';
import type { Store } from './storage/store.js';

export interface ServerOptions {
  config: Config;
  clock?: Clock;
  /** A store opened by the caller (tests); otherwise one is opened from the configuration. */
  store?: Store;
  bus?: PresentationBus;
  logger?: Logger;
  /** Where the built screens are; defaults to dist/screens beside the package. */
  screensDir?: string;
  nodeId?: string;
  /** The realtime transports this node offers; all three unless a test narrows it. */
  transports?: readonly TransportKind[];
  /** Prefix for Redis keys and channels (tests keep runs apart with it). */
  redisPrefix?: string;
  /** How long a client may take to send its request headers; 10 s unless a test shortens it. */
  headersTimeoutMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  service: PresentationService;
  realtime: Realtime;
  metrics: Metrics;
  clock: Clock;
  config: Config;
  /** The base URL the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? pino(loggerOptions(config.logLevel));
  const nodeId = options.nodeId ?? `node-${randomBytes(4).toString('hex')}`;
  const screensDir = options.screensDir ?? join(packageRoot, 'dist', 'screens');

  const store =
    options.store ??
    (await openStore(
      config.databaseUrl
        ? { databaseUrl: config.databaseUrl, dataDir: config.dataDir }
        : { dataDir: config.dataDir },
    ));
  const ownsStore = options.store === undefined;

  if (config.seedDemo) await seedDemoAgents(store, clock);
  const catalogue = await Catalogue.load(store, config.seedDemo);

  const metrics = new Metrics({ defaults: true });
  let bus = options.bus;
  if (!bus && config.redisUrl) {
    const redisBus = new RedisBus({
      url: config.redisUrl,
      clock,
      log,
      logSize: config.resumeLogSize,
      ...(options.redisPrefix ? { prefix: options.redisPrefix } : {}),
    });
    await redisBus.ready();
    bus = redisBus;
  }
  bus ??= new MemoryBus({ logSize: config.resumeLogSize, clock });
  const activity = new ActivityFanOut();
  const webhooks = new WebhookDispatcher({ store, clock, config, log });
  activity.add(webhooks);
  const service = new PresentationService({
    activity,
    store,
    clock,
    config,
    bus,
    log,
    complexName: () => catalogue.complex.name,
  });
  const realtime = new Realtime({
    nodeId,
    bus,
    store,
    service,
    clock,
    config,
    metrics,
    log,
    activity,
    catalogue,
  });
  service.connect(realtime);
  const auth = new AgentAuth({
    store,
    clock,
    config,
    onAgentChanged: (agentId) => service.agentChanged(agentId),
  });

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const app = Fastify({
    // Node looks for overdue headers on a timer, every 30 s by default: left so, a slow client
    // could hold its connection up to four times longer than the timeout says.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.ceil(headersTimeout / 4)) },
    loggerInstance: log as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    // By the time the HTTP server closes, realtime clients have been told to reconnect; a
    // response a client stopped reading must not hold the shutdown open.
    forceCloseConnections: true,
    genReqId: () => randomBytes(8).toString('hex'),
    // URLs the router cannot decode, or with a parameter over its length limit, never reach a
    // route; Fastify's own answer would echo the path, which may hold a capability token.
    frameworkErrors: (_err, request, reply) => {
      if (request.url.startsWith('/p/')) return sendInvalidLink(reply, screensDir);
      return (reply as FastifyReply).code(400).send(new AppError('invalid_request').toBody());
    },
  });
  app.server.headersTimeout = headersTimeout;
  app.server.maxHeadersCount = 100;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('identity', null);

  const isOriginAllowed = (origin: string, req: IncomingMessage): boolean => {
    if (config.allowedOrigins.includes(origin)) return true;
    if (config.publicUrl && new URL(config.publicUrl).origin === origin) return true;
    const host =
      req.headers['x-forwarded-host'] && config.trustProxy
        ? req.headers['x-forwarded-host']
        : req.headers.host;
    if (typeof host !== 'string') return false;
    return origin === `http://${host}` || origin === `https://${host}`;
  };

  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    const changes = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (changes && origin !== undefined && !isOriginAllowed(origin, request.raw)) {
      throw new AppError('origin_not_allowed');
    }
  });

  // Registered before the static assets so they are compressed too. Brotli at a middle
  // quality: the buyer's page carries the public inventory, and a phone on a slow link gains
  // far more from a 6× smaller page than the node spends compressing it.
  await app.register(fastifyCompress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyCors, {
    origin: config.allowedOrigins.length > 0 ? config.allowedOrigins : false,
    credentials: false,
    allowedHeaders: ['authorization', 'content-type'],
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Remote Presentation API',
        version: '1',
        description: 'Agents start presentations; buyers watch them through expiring links.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'rp_session' },
          presenterToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const linkBase = (request: FastifyRequest) =>
    config.publicUrl ?? `${request.protocol}://${request.host}`;

  agentRoutes(app, {
    store,
    auth,
    service,
    realtime,
    catalogue,
    config,
    now: () => clock.now(),
    linkBase,
    publishUnits: async (units) => {
      try {
        // The bus delivers to this node too, which updates its catalogue and screens.
        await bus.publishUnits(units);
      } catch (err) {
        // The change is stored: this node shows it now, and the others reload the inventory
        // when the bus is back (Realtime's recovery after an outage).
        log.error({ err }, 'unit change signal failed; other nodes catch up when the bus is back');
        realtime.unitsChanged(units);
      }
    },
  });
  webhookRoutes(app, { store, requireAgent: agentGuard(auth), now: () => clock.now() });
  viewerRoutes(app, {
    service,
    realtime,
    catalogue,
    screensDir,
    recapMs: config.recapMs,
    now: () => clock.now(),
  });
  opsRoutes(app, { store, realtime, metrics, nodeId });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (existsSync(join(screensDir, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(screensDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }
  const consoleHtml = join(screensDir, 'console', 'index.html');
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(consoleHtml)) {
      return reply.type('text/plain').send('The console has not been built; run npm run build.');
    }
    return reply
      .headers({
        'cache-control': 'no-cache',
        'content-security-policy':
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        'referrer-policy': 'same-origin',
        'x-content-type-options': 'nosniff',
      })
      .type('text/html; charset=utf-8')
      .sendFile('index.html', join(screensDir, 'console'));
  });
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).send(new AppError('not_found').toBody()),
  );

  const offered = new Set(options.transports ?? ['ws', 'sse', 'poll']);
  const transportOptions = {
    realtime,
    auth,
    isOriginAllowed,
    clientAddress: (req: IncomingMessage) => {
      const forwarded = req.headers['x-forwarded-for'];
      if (config.trustProxy && typeof forwarded === 'string') {
        return forwarded.split(',')[0]?.trim() ?? '';
      }
      return req.socket.remoteAddress ?? '';
    },
    maxConnectionsPerAddress: config.maxConnectionsPerIp,
  };
  const ws = offered.has('ws') ? new WsTransport(transportOptions) : null;
  ws?.attach(app.server);
  const http = new HttpTransport({
    ...transportOptions,
    kinds: (['sse', 'poll'] as const).filter((kind) => offered.has(kind)),
  });
  http.register(app);

  await service.restore();
  const address = await app.listen({ port: config.port, host: config.host });
  webhooks.start();
  const housekeeping = startHousekeeping({ store, clock, log });
  const url = address.replace('[::1]', 'localhost');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      housekeeping.cancel();
      await realtime.shutdown();
      ws?.close();
      http.close();
      service.stop();
      await app.close();
      await bus.close();
      await webhooks.stop();
      if (ownsStore) await store.close();
    })());

  return { app, store, service, realtime, metrics, clock, config, url, close };
}

async function seedDemoAgents(store: Store, clock: Clock): Promise<void> {
  for (const demo of DEMO_AGENTS) {
    if (await store.agents.findById(demo.id)) continue;
    try {
      await store.agents.create({
        id: demo.id,
        email: demo.email,
        name: demo.name,
        phone: demo.phone,
        passwordHash: await hashPassword(demo.password),
        createdAt: clock.now(),
      });
    } catch (err) {
      // Several nodes starting at once on an empty database race to seed; one wins.
      if (!(await store.agents.findById(demo.id))) throw err;
    }
  }
}
