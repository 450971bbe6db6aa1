/**
 * The `/stats` answer every peer server gives the orchestrator: event-loop delay since the last
 * read (the same monitor prom-client uses for our server, at the same 10 ms resolution), heap
 * and connection count. Reading resets the delay histogram, so each read covers one window.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface PeerStats {
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  heapUsedBytes: number;
  rssBytes: number;
  connections: number;
}

export function statsEndpoint(
  connections: () => number,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== '/stats') return false;
    const memory = process.memoryUsage();
    const body: PeerStats = {
      loopLagP50Ms: delay.percentile(50) / 1e6,
      loopLagP99Ms: delay.percentile(99) / 1e6,
      loopLagMaxMs: delay.max / 1e6,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      connections: connections(),
    };
    delay.reset();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
}

export function listenPort(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set to a port number');
  return port;
}
