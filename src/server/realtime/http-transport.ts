/**
 * Server-Sent Events and long-polling: the protocol over plain HTTP, for networks where a
 * WebSocket does not get through (proxies, antivirus, some corporate gateways). The messages,
 * admission, rate limits and ends are the WebSocket's — a `ProtocolSession` runs on an
 * `HttpConnection` — only the carriage differs:
 *
 *   POST /rt/sessions                { transport, hello }  → 201 { sid, key, transport, cursor, frames }
 *   GET  /rt/sessions/:sid/events    ?after=<cursor>       → text/event-stream, `id:` = cursor
 *   GET  /rt/sessions/:sid/poll      ?after=<cursor>       → { cursor, frames } once one is ready
 *   POST /rt/sessions/:sid/messages  { messages }          → 202
 *   DELETE /rt/sessions/:sid                               → 204, the client is leaving
 *
 * The hello travels in a body and the session key in `Authorization: Bearer`, never in a URL.
 * A session lives on the node that opened it: any other node, or this one after a restart,
 * answers 404 `not_found`, and the client opens a new session whose hello resumes from its
 * last sequence — so no sticky sessions are needed to converge.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { AppError } from '../../core/errors.js';
import { MAX_FRAME_BYTES } from '../../core/protocol.js';
import { SESSION_COOKIE, readCookie } from '../agents/auth.js';
import type { AgentAuth } from '../agents/auth.js';
import type { TimerHandle } from '../clock.js';
import { frameErrorHandler } from '../http/errors.js';
import { setViewerHeaders } from '../http/viewer-routes.js';
import { HttpConnection } from './http-connection.js';
import type { FrameBatch, HttpTransportKind, StreamSink } from './http-connection.js';
import type { Realtime } from './realtime.js';
import { ProtocolSession } from './session.js';

export const HTTP_SESSIONS_PATH = '/rt/sessions';

/** How long a poll is held open when nothing is waiting. */
export const POLL_HOLD_MS = 25_000;
/** How long opening a session waits for the answer to its hello, to carry it back at once. */
const FIRST_ANSWER_MS = 3_000;
/** A comment this often keeps proxies from closing a quiet stream. */
const STREAM_KEEPALIVE_MS = 15_000;
const SWEEP_MS = 1_000;
const MAX_MESSAGES_PER_REQUEST = 100;

export interface HttpTransportOptions {
  realtime: Realtime;
  auth: AgentAuth;
  isOriginAllowed(origin: string, req: IncomingMessage): boolean;
  clientAddress(req: IncomingMessage): string;
  maxConnectionsPerAddress: number;
  /** The carriages this node offers. */
  kinds: readonly HttpTransportKind[];
}

interface Entry {
  conn: HttpConnection;
  session: ProtocolSession;
}

const sidParams = z.object({ sid: z.string().regex(/^s_[A-Za-z0-9_-]{16}$/) });
const cursorQuery = z.object({ after: z.coerce.number().int().min(0).optional() });
const tags = ['realtime'];

export class HttpTransport {
  readonly #o: HttpTransportOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #perAddress = new Map<string, number>();
  readonly #sweeper: TimerHandle;

  constructor(options: HttpTransportOptions) {
    this.#o = options;
    this.#sweeper = options.realtime.deps.clock.every(SWEEP_MS, () => this.#sweep());
  }

  register(app: FastifyInstance): void {
    void app.register(async (scope) => {
      // A body over the limit here is a protocol message over the frame limit (R10).
      scope.setErrorHandler(frameErrorHandler);
      // The viewer's headers on every answer, errors included: nothing here may be cached or
      // leak a referrer.
      scope.addHook('onSend', async (_request, reply, payload) => {
        setViewerHeaders(reply);
        return payload;
      });
      this.#routes(scope);
    });
  }

  /** Ends every open request; the sessions themselves were closed by `Realtime.shutdown`. */
  close(): void {
    this.#sweeper.cancel();
    for (const entry of [...this.#entries.values()]) {
      entry.conn.close('shutting_down');
      entry.conn.release();
      this.#forget(entry);
    }
  }

  #routes(app: FastifyInstance): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();

    typed.post(
      HTTP_SESSIONS_PATH,
      {
        bodyLimit: MAX_FRAME_BYTES,
        config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Opens a protocol session over SSE or long-polling; the body carries the hello, the answer the first frames.',
          body: z.strictObject({
            transport: z.enum(['sse', 'poll']),
            hello: z.record(z.string(), z.unknown()),
          }),
        },
      },
      async (request, reply) => {
        this.#checkOrigin(request);
        const kind = request.body.transport;
        if (!this.#o.kinds.includes(kind)) throw new AppError('not_found');
        if (this.#o.realtime.draining) throw new AppError('shutting_down');
        const address = this.#o.clientAddress(request.raw);
        if ((this.#perAddress.get(address) ?? 0) >= this.#o.maxConnectionsPerAddress) {
          throw new AppError('rate_limited');
        }

        const entry = this.#open(kind, address, request.headers.cookie);
        entry.session.receive(JSON.stringify(request.body.hello));
        const batch = await entry.conn.nextBatch(0, FIRST_ANSWER_MS, abortedWith(reply));
        if (entry.conn.finished) this.#forget(entry);

        const { conn } = entry;
        const head = `{"sid":"${conn.sid}","key":"${conn.key}","transport":"${conn.transport}"`;
        return reply
          .code(201)
          .type('application/json; charset=utf-8')
          .send(`${head},${batchJson(batch === 'gone' ? { cursor: 0, texts: [] } : batch)}}`);
      },
    );

    typed.get(
      `${HTTP_SESSIONS_PATH}/:sid/events`,
      {
        // Reconnects and long streams would flood an info-level access log.
        logLevel: 'warn',
        // A HEAD would attach a stream like a GET and replace the client's.
        exposeHeadRoute: false,
        schema: {
          tags,
          summary:
            "The session's frames as Server-Sent Events, continuing after `after` (or Last-Event-ID).",
          params: sidParams,
          querystring: cursorQuery,
        },
      },
      async (request, reply) => {
        const entry = this.#find(request, request.params.sid, 'sse');
        const after = request.query.after ?? lastEventId(request) ?? 0;
        if (!entry || !entry.conn.canContinue(after)) return this.#lost(entry, reply);
        this.#stream(entry, after, reply);
        return reply;
      },
    );

    typed.get(
      `${HTTP_SESSIONS_PATH}/:sid/poll`,
      {
        logLevel: 'warn',
        exposeHeadRoute: false,
        schema: {
          tags,
          summary:
            'The frames after `after`, as soon as there is one, or none after about 25 seconds.',
          params: sidParams,
          querystring: cursorQuery,
        },
      },
      async (request, reply) => {
        const entry = this.#find(request, request.params.sid, 'poll');
        const after = request.query.after ?? 0;
        if (!entry || !entry.conn.canContinue(after)) return this.#lost(entry, reply);
        const batch = await entry.conn.nextBatch(after, POLL_HOLD_MS, abortedWith(reply));
        if (entry.conn.finished) this.#forget(entry);
        if (batch === 'gone') return this.#lost(entry, reply);
        return reply.type('application/json; charset=utf-8').send(`{${batchJson(batch)}}`);
      },
    );

    typed.post(
      `${HTTP_SESSIONS_PATH}/:sid/messages`,
      {
        bodyLimit: MAX_FRAME_BYTES,
        logLevel: 'warn',
        schema: {
          tags,
          summary: 'Client messages for the session (changes, acknowledgements, pongs), in order.',
          params: sidParams,
          body: z.strictObject({
            messages: z.array(z.unknown()).min(1).max(MAX_MESSAGES_PER_REQUEST),
          }),
        },
      },
      async (request, reply) => {
        this.#checkOrigin(request);
        const entry = this.#find(request, request.params.sid, null);
        if (!entry) return this.#lost(null, reply);
        // After the end the messages are moot; the client learns of the end from its stream.
        if (!entry.conn.ended) {
          for (const message of request.body.messages) {
            entry.session.receive(JSON.stringify(message));
          }
        }
        return reply.code(202).send();
      },
    );

    typed.delete(
      `${HTTP_SESSIONS_PATH}/:sid`,
      {
        schema: {
          tags,
          summary:
            'Ends the session from the client side, so the agent stops seeing the device at once.',
          params: sidParams,
        },
      },
      async (request, reply) => {
        this.#checkOrigin(request);
        const entry = this.#find(request, request.params.sid, null);
        if (!entry) return this.#lost(null, reply);
        entry.conn.hangUp();
        this.#forget(entry);
        return reply.code(204).send();
      },
    );
  }

  #open(kind: HttpTransportKind, address: string, cookieHeader: string | undefined): Entry {
    const cookie = readCookie(cookieHeader, SESSION_COOKIE);
    const { realtime, auth } = this.#o;
    let session: ProtocolSession | null = null;
    const conn = new HttpConnection({
      transport: kind,
      remoteAddress: address,
      capBytes: realtime.deps.config.viewerBufferBytes,
      now: () => realtime.deps.clock.now(),
      onEnd: () => session?.closed(),
    });
    session = new ProtocolSession({
      connection: conn,
      realtime,
      auth,
      cookieIdentity: () => auth.fromCookie(cookie),
    });
    const entry: Entry = { conn, session };
    this.#entries.set(conn.sid, entry);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    return entry;
  }

  #stream(entry: Entry, after: number, reply: FastifyReply): void {
    const { conn } = entry;
    const res = reply.raw;
    setViewerHeaders(reply);
    reply.hijack();
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx and its kin buffer responses unless told not to; a buffered stream is no stream.
      'x-accel-buffering': 'no',
    });
    // A write racing the client's disconnect must not become an unhandled error.
    res.on('error', () => undefined);
    res.write(': stream open\n\n');

    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), STREAM_KEEPALIVE_MS);
    keepalive.unref();
    const sink: StreamSink = {
      event: (cursor, text) => void res.write(`id: ${cursor}\ndata: ${text}\n\n`),
      end: () => res.end(),
      backlog: () => res.writableLength,
    };
    res.on('close', () => {
      clearInterval(keepalive);
      conn.detachStream(sink);
      if (conn.finished) this.#forget(entry);
    });
    conn.attachStream(sink, after);
  }

  /** Answers a request this node cannot serve: the client opens a new session and resumes. */
  #lost(entry: Entry | null | undefined, reply: FastifyReply): FastifyReply {
    if (entry && entry.conn.ended) this.#forget(entry);
    return reply.code(404).send(new AppError('not_found').toBody());
  }

  /** The session named in the path, if the request carries its key and the right carriage. */
  #find(request: FastifyRequest, sid: string, kind: HttpTransportKind | null): Entry | null {
    const entry = this.#entries.get(sid);
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    // A wrong key and an unknown session look alike, so the answer tells a prober nothing.
    if (!entry || !entry.conn.keyMatches(key)) return null;
    if (kind !== null && entry.conn.transport !== kind) return null;
    return entry;
  }

  /** The app checks every change request's Origin too; the transport does not rely on it. */
  #checkOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin !== undefined && !this.#o.isOriginAllowed(origin, request.raw)) {
      throw new AppError('origin_not_allowed');
    }
  }

  #forget(entry: Entry): void {
    if (this.#entries.get(entry.conn.sid) !== entry) return;
    this.#entries.delete(entry.conn.sid);
    const address = entry.conn.remoteAddress;
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
  }

  /**
   * A client with neither a stream nor a poll open for two heartbeats is gone (R11), as is the
   * record of a connection whose end nobody came to collect.
   */
  #sweep(): void {
    const { clock, config } = this.#o.realtime.deps;
    const now = clock.now();
    const limit = config.heartbeatMs * 2;
    for (const entry of [...this.#entries.values()]) {
      if (entry.conn.absentFor(now, limit)) entry.conn.close('heartbeat_timeout');
      if (entry.conn.lingeredFor(now, limit)) this.#forget(entry);
    }
  }
}

/** The body of an answer that carries frames: they are JSON already and go in as they are. */
function batchJson(batch: FrameBatch): string {
  return `"cursor":${batch.cursor},"frames":[${batch.texts.join(',')}]`;
}

function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

/** A signal that fires when the client goes away before its answer is sent. */
function abortedWith(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
