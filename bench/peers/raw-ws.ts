/**
 * The floor for Node: a bare `ws` relay. One presenter socket per room; whatever text frame it
 * sends goes to every viewer socket of the room as it is, without parsing, validating, ordering,
 * storing or acknowledging it. No heartbeat, resume, presence or limits: it measures what
 * moving the bytes costs, and nothing else.
 *
 *   PORT=9000 node --import tsx bench/peers/raw-ws.ts
 *   ws://127.0.0.1:9000/?room=<id>&role=presenter|viewer
 */
import { createServer } from 'node:http';

import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import { listenPort, statsEndpoint } from './stats.js';

const rooms = new Map<string, Set<WebSocket>>();
let connections = 0;
const stats = statsEndpoint(() => connections);

const server = createServer((req, res) => {
  if (!stats(req, res)) res.writeHead(404).end();
});
const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 16 * 1024,
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  const room = url.searchParams.get('room') ?? '';
  const presenter = url.searchParams.get('role') === 'presenter';
  connections++;
  ws.on('error', () => undefined);

  if (presenter) {
    ws.on('message', (data, isBinary) => {
      const viewers = rooms.get(room);
      if (!viewers) return;
      for (const viewer of viewers) viewer.send(data, { binary: isBinary });
    });
    ws.on('close', () => connections--);
    return;
  }

  let viewers = rooms.get(room);
  if (!viewers) rooms.set(room, (viewers = new Set()));
  viewers.add(ws);
  ws.on('close', () => {
    connections--;
    viewers.delete(ws);
    if (viewers.size === 0) rooms.delete(room);
  });
});

server.listen(listenPort(), '127.0.0.1');
