/**
 * How a load generator speaks to each system: a presenter that sends change number k, and
 * viewers that report the newest change number their state has reached. Our rows use the SDK
 * exactly as an integrating admin would; the peers use the plainest client for their server.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { IncomingMessage } from 'node:http';

import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import WebSocket from 'ws';

import { applyPatch, initialViewState } from '../../src/core/view-state.js';
import type { ViewPatch, ViewState } from '../../src/core/view-state.js';
import { PresenterClient, ViewerClient } from '../../src/sdk/index.js';
import type { WebSocketFactory, WebSocketLike } from '../../src/sdk/index.js';
import type { RoomAssignment, SystemName } from '../lib/ipc.js';
import { httpFetch, sourceAddress } from './http-fetch.js';

export interface Counters {
  errors: Record<string, number>;
  patchFrames: number;
  patchFrameBytes: number;
}

export interface ClientContext {
  baseUrl: string;
  cookie: string;
  timeoutMs: number;
  postIdleMs: number;
  counters: Counters;
}

export interface PresenterHandle {
  readonly open: boolean;
  /** Sends change number `k`; false when the client could not send it. */
  change(k: number, patch: ViewPatch): boolean;
  close(): void;
}

export interface ViewerHandle {
  readonly open: boolean;
  close(): void;
}

export interface SystemClients {
  presenter(room: RoomAssignment, ctx: ClientContext): Promise<PresenterHandle>;
  viewer(
    room: RoomAssignment,
    n: number,
    onReach: (k: number) => void,
    ctx: ClientContext,
    /** Our WebSocket viewers: the server's time (`t`, epoch ms) for change k, from its frame. */
    onOrdered?: (k: number, serverTimeMs: number) => void,
  ): Promise<ViewerHandle>;
  /** How long after the last change a viewer may still be catching up. */
  drainMs: number;
}

export function count(ctx: ClientContext, what: string): void {
  ctx.counters.errors[what] = (ctx.counters.errors[what] ?? 0) + 1;
}

/** A WebSocket frame's header from server to client (unmasked) for a payload of `n` bytes. */
export function wsHeaderBytes(n: number): number {
  return n <= 125 ? 2 : n <= 65535 ? 4 : 10;
}

function meterFrame(ctx: ClientContext, payloadBytes: number): void {
  ctx.counters.patchFrames++;
  ctx.counters.patchFrameBytes += payloadBytes + wsHeaderBytes(payloadBytes);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

// ---------------------------------------------------------------------------- ours (the SDK)

const PATCH_PREFIX = Buffer.from('{"type":"patch"');

function sdkSocketFactory(
  headers: Record<string, string>,
  onFrame?: (data: Buffer) => void,
): WebSocketFactory {
  return (url, protocols) => {
    const ws = new WebSocket(url, protocols, { headers, perMessageDeflate: false });
    if (onFrame) ws.on('message', (data: Buffer) => onFrame(data));
    return ws as unknown as WebSocketLike;
  };
}

type SdkTransport = 'ws' | 'sse' | 'poll';

/** Connection options for one SDK client: a `ws` socket, or a node:http fetch for SSE and poll. */
function sdkCarriage(
  transport: SdkTransport,
  n: number,
  ctx: ClientContext,
  headers: Record<string, string>,
  onFrame?: (data: Buffer) => void,
): { options: Record<string, unknown>; close(): void } {
  if (transport === 'ws') {
    return {
      options: { transport, webSocket: sdkSocketFactory(headers, onFrame) },
      close: () => {},
    };
  }
  const http = httpFetch({ localAddress: sourceAddress(n), headers, postIdleMs: ctx.postIdleMs });
  return { options: { transport, fetch: http.fetch }, close: () => http.close() };
}

let clientCounter = 0;

function oursClients(transport: SdkTransport): SystemClients {
  return {
    drainMs: 3000,
    async presenter(room, ctx) {
      const carriage = sdkCarriage(transport, clientCounter++, ctx, { cookie: ctx.cookie });
      const client = new PresenterClient({
        baseUrl: ctx.baseUrl,
        presentationId: room.id,
        ...carriage.options,
        baseDelayMs: 250,
        maxDelayMs: 5000,
      });
      client.on('ack', ({ clientSeq, seq }) => {
        if (seq !== clientSeq) count(ctx, 'ack_seq_mismatch');
      });
      client.on('error', (e) => count(ctx, `presenter_error:${e.code}`));
      client.on('status', (s) => {
        if (s === 'reconnecting') count(ctx, 'presenter_reconnect');
      });
      client.on('closed', (e) => count(ctx, `presenter_closed:${e.reason}`));
      const ready = new Promise<void>((resolve, reject) => {
        let gotState = false;
        const check = () => {
          if (gotState && client.presenting) resolve();
        };
        client.on('state', () => {
          gotState = true;
          check();
        });
        client.on('presenting', check);
        client.on('closed', (e) => reject(new Error(`presenter closed: ${e.reason}`)));
      });
      client.connect();
      try {
        await withTimeout(ready, ctx.timeoutMs, 'presenter');
      } catch (err) {
        client.close();
        carriage.close();
        throw err;
      }
      return {
        get open() {
          return client.status === 'open' && client.presenting;
        },
        change(_k, patch) {
          if (client.status !== 'open' || !client.presenting) return false;
          return client.change(patch);
        },
        close: () => {
          client.close();
          carriage.close();
        },
      };
    },
    async viewer(room, n, onReach, ctx, onOrdered) {
      const carriage = sdkCarriage(transport, clientCounter++, ctx, {}, (data) => {
        if (data.length > PATCH_PREFIX.length && data.subarray(0, 15).equals(PATCH_PREFIX)) {
          meterFrame(ctx, data.length);
          if (onOrdered) {
            // {"type":"patch","seq":N,…,"t":T}: the server's clock when it ordered change N.
            const text = data.toString('latin1');
            const seq = /^\{"type":"patch","seq":(\d+)/.exec(text)?.[1];
            const t = /"t":(\d+)\}$/.exec(text)?.[1];
            if (seq && t) onOrdered(Number(seq), Number(t));
          }
        }
      });
      const client = new ViewerClient({
        baseUrl: ctx.baseUrl,
        token: room.token,
        deviceId: `bench${room.index}x${n}dev`,
        device: 'phone',
        ...carriage.options,
        baseDelayMs: 250,
        maxDelayMs: 5000,
      });
      client.on('status', (s) => {
        if (s === 'reconnecting') count(ctx, 'viewer_reconnect');
      });
      client.on('closed', (e) => count(ctx, `viewer_closed:${e.reason}`));
      client.on('error', (e) => count(ctx, `viewer_error:${e.code}`));
      const ready = new Promise<void>((resolve, reject) => {
        client.on('state', () => {
          onReach(client.seq);
          resolve();
        });
        client.on('closed', (e) => reject(new Error(`viewer closed: ${e.reason}`)));
      });
      client.connect();
      try {
        await withTimeout(ready, ctx.timeoutMs, 'viewer');
      } catch (err) {
        client.close();
        carriage.close();
        throw err;
      }
      return {
        get open() {
          return client.status === 'open';
        },
        close: () => {
          client.close();
          carriage.close();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------- raw ws relay

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  return withTimeout(
    new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }),
    timeoutMs,
    'socket',
  ).catch((err: unknown) => {
    ws.terminate();
    throw err;
  });
}

function rawWsClients(): SystemClients {
  const base = (ctx: ClientContext) => ctx.baseUrl.replace(/^http/, 'ws');
  return {
    drainMs: 3000,
    async presenter(room, ctx) {
      const ws = await openSocket(`${base(ctx)}/?room=${room.id}&role=presenter`, ctx.timeoutMs);
      ws.on('close', () => count(ctx, 'presenter_closed'));
      return {
        get open() {
          return ws.readyState === WebSocket.OPEN;
        },
        change(k, patch) {
          if (ws.readyState !== WebSocket.OPEN) return false;
          ws.send(JSON.stringify({ type: 'change', clientSeq: k, patch }));
          return true;
        },
        close: () => ws.close(),
      };
    },
    async viewer(room, _n, onReach, ctx) {
      const ws = await openSocket(`${base(ctx)}/?room=${room.id}&role=viewer`, ctx.timeoutMs);
      let state: ViewState = initialViewState();
      ws.on('message', (data: Buffer) => {
        meterFrame(ctx, data.length);
        const message = JSON.parse(data.toString()) as { clientSeq: number; patch: ViewPatch };
        state = applyPatch(state, message.patch);
        onReach(message.clientSeq);
      });
      ws.on('close', () => count(ctx, 'viewer_closed'));
      return {
        get open() {
          return ws.readyState === WebSocket.OPEN;
        },
        close: () => ws.close(),
      };
    },
  };
}

// ---------------------------------------------------------------------------- Socket.IO

function connectIo(ctx: ClientContext, room: string, role: string): Promise<Socket> {
  const socket = io(ctx.baseUrl, {
    transports: ['websocket'],
    query: { room, role },
    forceNew: true,
  });
  socket.on('disconnect', () => count(ctx, `${role}_disconnect`));
  return withTimeout(
    new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    }),
    ctx.timeoutMs,
    'socket.io',
  ).catch((err: unknown) => {
    socket.close();
    throw err;
  });
}

function socketIoClients(): SystemClients {
  return {
    drainMs: 3000,
    async presenter(room, ctx) {
      const socket = await connectIo(ctx, room.id, 'presenter');
      return {
        get open() {
          return socket.connected;
        },
        change(k, patch) {
          if (!socket.connected) return false;
          socket.emit('change', { clientSeq: k, patch });
          return true;
        },
        close: () => socket.close(),
      };
    },
    async viewer(room, _n, onReach, ctx) {
      const socket = await connectIo(ctx, room.id, 'viewer');
      let state: ViewState = initialViewState();
      socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
        if (packet.type === 'message' && typeof packet.data === 'string') {
          meterFrame(ctx, 1 + Buffer.byteLength(packet.data));
        }
      });
      socket.on('change', (message: { clientSeq: number; patch: ViewPatch }) => {
        state = applyPatch(state, message.patch);
        onReach(message.clientSeq);
      });
      return {
        get open() {
          return socket.connected;
        },
        close: () => socket.close(),
      };
    },
  };
}

// ---------------------------------------------------------------------------- polling every 2 s

const POLL_MS = 2000;

function httpHeaderBytes(res: IncomingMessage): number {
  let n = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    n += (res.rawHeaders[i]?.length ?? 0) + (res.rawHeaders[i + 1]?.length ?? 0) + 4;
  }
  return n;
}

function pollClients(): SystemClients {
  return {
    drainMs: POLL_MS + 1500,
    async presenter(room, ctx) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let open = true;
      return {
        get open() {
          return open;
        },
        change(k, patch) {
          const body = JSON.stringify({ clientSeq: k, patch });
          const req = request(`${ctx.baseUrl}/rooms/${room.id}`, {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          });
          req.on('response', (res) => {
            if (res.statusCode !== 204) count(ctx, `presenter_http_${res.statusCode}`);
            res.resume();
          });
          req.on('error', () => count(ctx, 'presenter_http_error'));
          req.end(body);
          return true;
        },
        close: () => {
          open = false;
          agent.destroy();
        },
      };
    },
    async viewer(room, _n, onReach, ctx) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let inFlight = false;
      let state: ViewState | null = null;
      const poll = () =>
        new Promise<void>((resolve) => {
          if (inFlight) return resolve();
          inFlight = true;
          const req = request(`${ctx.baseUrl}/rooms/${room.id}`, { agent });
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              inFlight = false;
              const body = Buffer.concat(chunks);
              ctx.counters.patchFrames++;
              ctx.counters.patchFrameBytes += httpHeaderBytes(res) + body.length;
              const latest = JSON.parse(body.toString()) as { seq: number; state: ViewState };
              state = latest.state;
              onReach(latest.seq);
              resolve();
            });
          });
          req.on('error', () => {
            inFlight = false;
            count(ctx, 'viewer_http_error');
            resolve();
          });
          req.end();
        });
      await withTimeout(poll(), ctx.timeoutMs, 'first poll');
      let timer: ReturnType<typeof setInterval> | null = null;
      // Phones open the link at different moments: spread the polls over the interval.
      const start = setTimeout(() => {
        timer = setInterval(() => void poll(), POLL_MS);
      }, Math.random() * POLL_MS);
      return {
        get open() {
          return state !== null;
        },
        close: () => {
          clearTimeout(start);
          if (timer) clearInterval(timer);
          agent.destroy();
        },
      };
    },
  };
}

export function clientsFor(system: SystemName): SystemClients {
  switch (system) {
    case 'ours-ws':
      return oursClients('ws');
    case 'ours-sse':
      return oursClients('sse');
    case 'ours-poll':
      return oursClients('poll');
    case 'raw-ws':
      return rawWsClients();
    case 'socketio':
      return socketIoClients();
    case 'poll-2s':
      return pollClients();
  }
}

/** The SDK transports this checkout has: WebSocket always, SSE and long-polling once they land. */
export function sdkTransports(): string[] {
  const source = ['connection.ts', 'presenter.ts']
    .map((f) => {
      try {
        return readFileSync(new URL(`../../src/sdk/${f}`, import.meta.url), 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
  const hasOption = /transport\??:\s*['A-Za-z]/.test(source) && source.includes("'sse'");
  return hasOption ? ['ws', 'sse', 'poll'] : ['ws'];
}
