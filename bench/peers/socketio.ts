/**
 * Socket.IO as most teams would use it for this: a room per presentation, the presenter's
 * `change` event re-emitted to the room. Defaults otherwise (no compression, 25 s pings);
 * clients connect over WebSocket directly, skipping the long-polling warm-up.
 *
 *   PORT=9000 node --import tsx bench/peers/socketio.ts
 *   io('http://127.0.0.1:9000', { query: { room, role }, transports: ['websocket'] })
 */
import { createServer } from 'node:http';

import { Server } from 'socket.io';

import { listenPort, statsEndpoint } from './stats.js';

let connections = 0;
const stats = statsEndpoint(() => connections);
const server = createServer((req, res) => {
  if (!stats(req, res)) res.writeHead(404).end();
});
const io = new Server(server, { serveClient: false });

io.on('connection', (socket) => {
  const room = String(socket.handshake.query.room ?? '');
  const presenter = socket.handshake.query.role === 'presenter';
  connections++;
  socket.on('disconnect', () => connections--);
  if (presenter) {
    socket.on('change', (message: unknown) => {
      socket.to(room).emit('change', message);
    });
  } else {
    void socket.join(room);
  }
});

server.listen(listenPort(), '127.0.0.1');
