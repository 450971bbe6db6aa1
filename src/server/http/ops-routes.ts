/** Health, readiness and metrics for operators and load balancers. */
import type { FastifyInstance } from 'fastify';

import type { Metrics } from '../metrics.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Store } from '../storage/store.js';

export function opsRoutes(
  app: FastifyInstance,
  d: { store: Store; realtime: Realtime; metrics: Metrics; nodeId: string },
): void {
  const tags = ['operations'];

  app.get(
    '/healthz',
    { schema: { tags, summary: 'Liveness: the process answers.' }, logLevel: 'warn' },
    async () => ({ status: 'ok', node: d.nodeId }),
  );

  app.get(
    '/readyz',
    {
      schema: { tags, summary: 'Readiness: storage answers and the node is not draining.' },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      if (d.realtime.draining) return reply.code(503).send({ status: 'draining' });
      try {
        await d.store.ping();
      } catch {
        return reply.code(503).send({ status: 'storage_unavailable' });
      }
      return { status: 'ready', connections: d.realtime.connectionCount };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags, summary: 'Prometheus metrics.' }, logLevel: 'warn' },
    async (_request, reply) => {
      const body = await d.metrics.registry.metrics();
      return reply.type(d.metrics.registry.contentType).send(body);
    },
  );
}
