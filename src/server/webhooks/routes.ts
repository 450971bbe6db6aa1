/**
 * The delivery log for agents: what was sent to the host system about their presentations,
 * every try with its outcome, and a way to send a failed delivery again. An agent sees only
 * deliveries of presentations it owns, since payloads carry buyers' names and contacts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { AppError } from '../../core/errors.js';
import type { Store, WebhookDeliveryRow } from '../storage/store.js';
import { attemptsOf } from './dispatcher.js';

export interface WebhookRouteDeps {
  store: Store;
  /** Resolves the signed-in agent or throws (401, or 403 without the CSRF token on changes). */
  requireAgent(request: FastifyRequest): Promise<{ agent: { id: string } }>;
  /** The node's clock, so a retried delivery is due by the worker's time; `Date.now` if absent. */
  now?: () => number;
}

const STATUSES = ['pending', 'delivered', 'failed'] as const;
const tags = ['webhooks'];
const iso = (ms: number) => new Date(ms).toISOString();

const attemptSchema = z.object({
  at: z.string(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
});

const deliverySchema = z.object({
  id: z.string(),
  type: z.string(),
  presentationId: z.string(),
  status: z.enum(STATUSES),
  createdAt: z.string(),
  /** Only while pending. */
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  attempts: z.array(attemptSchema),
  payload: z.unknown(),
});

function deliveryOut(row: WebhookDeliveryRow): z.infer<typeof deliverySchema> {
  return {
    id: row.id,
    type: row.eventType,
    presentationId: row.presentationId,
    status: row.status,
    createdAt: iso(row.createdAt),
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    deliveredAt: row.deliveredAt === null ? null : iso(row.deliveredAt),
    attempts: attemptsOf(row).map((a) => ({ ...a, at: iso(a.at) })),
    payload: JSON.parse(row.payloadJson) as unknown,
  };
}

export function webhookRoutes(app: FastifyInstance, d: WebhookRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const now = d.now ?? Date.now;

  r.get(
    '/api/v1/webhooks/deliveries',
    {
      schema: {
        tags,
        summary: "Webhook deliveries of the agent's presentations, newest first, with every try.",
        querystring: z.object({
          status: z.enum(STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ deliveries: z.array(deliverySchema) }) },
      },
    },
    async (request) => {
      const { agent } = await d.requireAgent(request);
      const { status, limit } = request.query;
      const rows = await d.store.webhooks.listForAgent(agent.id, {
        limit,
        ...(status === undefined ? {} : { status }),
      });
      return { deliveries: rows.map(deliveryOut) };
    },
  );

  r.post(
    '/api/v1/webhooks/deliveries/:id/retry',
    {
      schema: {
        tags,
        summary: 'Queues a failed delivery again, due now, with a fresh set of attempts.',
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
        response: { 200: z.object({ delivery: deliverySchema }) },
      },
    },
    async (request) => {
      const { agent } = await d.requireAgent(request);
      const { id } = request.params;

      const row = await d.store.webhooks.find(id);
      if (!row) throw new AppError('not_found', 'There is no such delivery.');
      const presentation = await d.store.presentations.findById(row.presentationId);
      if (presentation?.agentId !== agent.id) {
        throw new AppError('forbidden', 'This delivery is about a presentation that is not yours.');
      }
      // The condition lives in the store's update, so two retries cannot both re-queue it.
      if (!(await d.store.webhooks.requeue(id, now()))) {
        throw new AppError('invalid_transition', 'Only a failed delivery can be retried.');
      }

      const requeued = await d.store.webhooks.find(id);
      if (!requeued) throw new AppError('not_found', 'There is no such delivery.');
      return { delivery: deliveryOut(requeued) };
    },
  );
}
