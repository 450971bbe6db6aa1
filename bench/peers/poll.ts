/**
 * The design note's option A: a plain HTTP server that holds each room's latest state. The
 * presenter POSTs each change; viewers GET the state every 2 s (the bench's viewers keep one
 * keep-alive connection each, as a phone would). The serialised state is cached between
 * changes, so a GET costs a lookup and a write.
 *
 *   PORT=9000 node --import tsx bench/peers/poll.ts
 *   POST /rooms/<id>  {"clientSeq":1,"patch":{...}}   GET /rooms/<id> → {"seq":1,"state":{...}}
 */
import { createServer } from 'node:http';

import { applyPatch, initialViewState } from '../../src/core/view-state.js';
import type { ViewPatch, ViewState } from '../../src/core/view-state.js';
import { listenPort, statsEndpoint } from './stats.js';

interface Room {
  seq: number;
  state: ViewState;
  json: string | null;
}

const rooms = new Map<string, Room>();
let connections = 0;
const stats = statsEndpoint(() => connections);

const room = (id: string): Room => {
  let found = rooms.get(id);
  if (!found) rooms.set(id, (found = { seq: 0, state: initialViewState(), json: null }));
  return found;
};

const server = createServer((req, res) => {
  if (stats(req, res)) return;
  const match = /^\/rooms\/([A-Za-z0-9_-]{1,64})$/.exec(req.url ?? '');
  if (!match?.[1]) return void res.writeHead(404).end();
  const target = room(match[1]);

  if (req.method === 'GET') {
    target.json ??= JSON.stringify({ seq: target.seq, state: target.state });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(target.json);
    return;
  }
  if (req.method !== 'POST') return void res.writeHead(405).end();

  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const change = JSON.parse(Buffer.concat(chunks).toString()) as {
        clientSeq: number;
        patch: ViewPatch;
      };
      target.state = applyPatch(target.state, change.patch);
      target.seq = change.clientSeq;
      target.json = null;
      res.writeHead(204).end();
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.on('connection', (socket) => {
  connections++;
  socket.on('close', () => connections--);
});
server.keepAliveTimeout = 10_000;

server.listen(listenPort(), '127.0.0.1');
