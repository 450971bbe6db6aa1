/**
 * The agent's API: sign-in, inventory, buyers and presentations. Requests authenticate with the
 * session cookie (plus the CSRF header on changes) or with a presenter token as a bearer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { AppError } from '../../core/errors.js';
import { UNIT_STATUSES } from '../../core/inventory.js';
import type { Unit, UnitStatus } from '../../core/inventory.js';
import { viewStateSchema } from '../../core/protocol-schema.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../agents/auth.js';
import type { AgentAuth, Identity } from '../agents/auth.js';
import type { Config } from '../config.js';
import type { Catalogue } from '../inventory/catalogue.js';
import { newId } from '../links/tokens.js';
import { buildRecord, recordCsv } from '../presentations/record.js';
import type { PresentationService } from '../presentations/service.js';
import type { Realtime } from '../realtime/realtime.js';
import type { AgentRow, PresentationRow, Store } from '../storage/store.js';

export interface AgentRouteDeps {
  store: Store;
  auth: AgentAuth;
  service: PresentationService;
  realtime: Realtime;
  catalogue: Catalogue;
  config: Config;
  now(): number;
  linkBase(request: FastifyRequest): string;
  /** Tells every node (and so every screen) about changed units. */
  publishUnits(units: Unit[]): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
}

const agentOut = (a: AgentRow) => ({ id: a.id, name: a.name, email: a.email, phone: a.phone });

const buyerInput = z.object({
  name: z.string().trim().min(1).max(120),
  contact: z
    .string()
    .trim()
    .min(3)
    .max(120)
    .refine(
      (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || /^\+?[\d\s()-]{5,20}$/.test(v),
      'must be a phone number or an e-mail address',
    ),
});

const pidParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const tags = ['agent'];

/**
 * Resolves the calling agent from a presenter token (bearer) or the session cookie; refuses
 * with 401, and with 403 on a change that lacks the session's CSRF token.
 */
export function agentGuard(auth: AgentAuth): (request: FastifyRequest) => Promise<Identity> {
  return async (request) => {
    const header = request.headers.authorization;
    let identity: Identity | undefined;
    if (header?.startsWith('Bearer ')) {
      identity = await auth.fromPresenterToken(header.slice(7).trim());
    } else {
      identity = await auth.fromCookie(request.cookies[SESSION_COOKIE]);
    }
    if (!identity) throw new AppError('unauthorized');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const csrf = request.headers[CSRF_HEADER];
      auth.checkCsrf(identity, typeof csrf === 'string' ? csrf : undefined);
    }
    request.identity = identity;
    return identity;
  };
}

export function agentRoutes(app: FastifyInstance, d: AgentRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const requireAgent = agentGuard(d.auth);

  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: d.config.cookieSecure,
    path: '/',
  };

  // ---------------------------------------------------------------- sign-in

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with a built-in agent account; sets the session cookie.',
        body: z.object({ email: z.string().max(200), password: z.string().max(200) }),
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { agent, cookieValue, session } = await d.auth.login(
        request.body.email,
        request.body.password,
      );
      void reply.setCookie(SESSION_COOKIE, cookieValue, {
        ...cookieOptions,
        maxAge: Math.floor(d.config.sessionMs / 1000),
      });
      return { agent: agentOut(agent), csrfToken: session.csrfToken };
    },
  );

  r.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The signed-in agent and the CSRF token for changes.' } },
    async (request) => {
      const identity = await requireAgent(request);
      return { agent: agentOut(identity.agent), csrfToken: identity.session?.csrfToken ?? null };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'Sign out: ends the session and closes its live sockets.' } },
    async (request, reply: FastifyReply) => {
      const identity = await requireAgent(request);
      if (identity.session) {
        await d.auth.logout(identity.session);
        await d.realtime.closeSession(identity.session.idHash);
      }
      void reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send();
    },
  );

  // ---------------------------------------------------------------- inventory and buyers

  r.get(
    '/api/v1/inventory',
    { schema: { tags, summary: 'The whole inventory, internal fields included (agents only).' } },
    async (request) => {
      await requireAgent(request);
      return { complex: d.catalogue.complex, units: d.catalogue.units };
    },
  );

  r.get(
    '/api/v1/buyers',
    {
      schema: {
        tags,
        summary: "The agent's buyers, newest first; q matches name or contact.",
        querystring: z.object({ q: z.string().max(100).optional() }),
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const buyers = await d.store.buyers.listForAgent(agent.id, request.query.q, 20);
      return {
        buyers: buyers.map((b) => ({
          id: b.id,
          name: b.name,
          contact: b.contact,
          createdAt: new Date(b.createdAt).toISOString(),
        })),
      };
    },
  );

  r.post(
    '/api/v1/buyers',
    { schema: { tags, summary: 'Adds a buyer (name and phone or e-mail).', body: buyerInput } },
    async (request, reply) => {
      const { agent } = await requireAgent(request);
      const buyer = {
        id: newId('by'),
        agentId: agent.id,
        name: request.body.name,
        contact: request.body.contact,
        createdAt: d.now(),
      };
      await d.store.buyers.create(buyer);
      return reply.code(201).send({
        buyer: { ...buyer, createdAt: new Date(buyer.createdAt).toISOString() },
      });
    },
  );

  // ---------------------------------------------------------------- presentations

  async function detailWithViewers(row: PresentationRow) {
    const detail = await d.service.detail(row);
    return { ...detail, viewers: d.realtime.existingHub(row.id)?.viewers() ?? [] };
  }

  r.post(
    '/api/v1/presentations',
    {
      schema: {
        tags,
        summary: 'Starts a presentation for a buyer and returns its viewer link (shown once).',
        body: z
          .object({
            buyerId: z.string().max(64).optional(),
            buyer: buyerInput.optional(),
            lifetimeMinutes: z.number().int().positive().optional(),
            state: viewStateSchema.optional(),
          })
          .refine((b) => (b.buyerId === undefined) !== (b.buyer === undefined), {
            message: 'give either buyerId or buyer',
          }),
      },
    },
    async (request, reply) => {
      const { agent } = await requireAgent(request);
      const body = request.body;

      let buyer = body.buyerId ? await d.store.buyers.findById(body.buyerId) : undefined;
      if (body.buyerId && (!buyer || buyer.agentId !== agent.id)) {
        throw new AppError('not_found', 'There is no such buyer.');
      }
      if (!buyer && body.buyer) {
        buyer = { id: newId('by'), agentId: agent.id, ...body.buyer, createdAt: d.now() };
        await d.store.buyers.create(buyer);
      }
      if (!buyer) throw new AppError('invalid_request', 'Give either buyerId or buyer.');

      const input: Parameters<PresentationService['create']>[1] = { buyer };
      if (body.lifetimeMinutes !== undefined) input.lifetimeMinutes = body.lifetimeMinutes;
      if (body.state !== undefined) input.state = body.state;
      const { row, token } = await d.service.create(agent, input);

      return reply.code(201).send({
        presentation: await detailWithViewers(row),
        link: {
          url: `${d.linkBase(request)}/p/${token}`,
          expiresAt: new Date(row.expiresAt).toISOString(),
        },
      });
    },
  );

  r.get(
    '/api/v1/presentations',
    { schema: { tags, summary: "The agent's presentations, newest first." } },
    async (request) => {
      const { agent } = await requireAgent(request);
      const rows = await d.store.presentations.listForAgent(agent.id, 100);
      return { presentations: await Promise.all(rows.map(detailWithViewers)) };
    },
  );

  r.get(
    '/api/v1/presentations/:id',
    { schema: { tags, summary: 'One presentation with its live viewers.', params: pidParams } },
    async (request) => {
      const { agent } = await requireAgent(request);
      const row = await d.service.owned(request.params.id, agent.id);
      return { presentation: await detailWithViewers(row) };
    },
  );

  r.get(
    '/api/v1/presentations/:id/events',
    {
      schema: { tags, summary: 'The recorded lifecycle of a presentation.', params: pidParams },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      await d.service.owned(request.params.id, agent.id);
      const events = await d.store.events.listFor(request.params.id);
      return {
        events: events.map((e) => ({
          at: new Date(e.at).toISOString(),
          kind: e.kind,
          reason: e.reason,
          detail: e.detailJson === null ? null : (JSON.parse(e.detailJson) as unknown),
        })),
      };
    },
  );

  r.post(
    '/api/v1/presentations/:id/extend',
    {
      schema: {
        tags,
        summary: 'Extends the link, up to the maximum lifetime.',
        params: pidParams,
        // One request may ask for up to the whole maximum lifetime; the presentation's own
        // maximum (counted from its creation) still caps the total.
        body: z.object({ minutes: z.number().int().min(1).max(d.config.maxLifetimeMin) }),
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const row = await d.service.extend(request.params.id, agent.id, request.body.minutes);
      return { presentation: await detailWithViewers(row) };
    },
  );

  r.post(
    '/api/v1/presentations/:id/end',
    {
      schema: {
        tags,
        summary: 'Ends the presentation; viewers see the end screen.',
        params: pidParams,
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const row = await d.service.end(request.params.id, agent.id);
      return { presentation: await detailWithViewers(row) };
    },
  );

  r.post(
    '/api/v1/presentations/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revokes the link and ends the presentation; every viewer is cut at once.',
        params: pidParams,
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const row = await d.service.revoke(request.params.id, agent.id);
      return { presentation: await detailWithViewers(row) };
    },
  );

  r.post(
    '/api/v1/presentations/:id/reissue',
    {
      schema: {
        tags,
        summary: 'Revokes the current link and issues a new one; the presentation goes on.',
        params: pidParams,
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const token = await d.service.reissue(request.params.id, agent.id);
      const row = await d.service.owned(request.params.id, agent.id);
      return {
        presentation: await detailWithViewers(row),
        link: {
          url: `${d.linkBase(request)}/p/${token}`,
          expiresAt: new Date(row.expiresAt).toISOString(),
        },
      };
    },
  );
  // ---------------------------------------------------------------- handoff and the record

  r.post(
    '/api/v1/presentations/:id/handoff',
    {
      schema: {
        tags,
        summary:
          'Hands a live presentation to another agent; the buyer keeps the link and sees the new name.',
        params: pidParams,
        body: z
          .object({
            toAgentId: z.string().max(80).optional(),
            toEmail: z.string().max(200).optional(),
          })
          .refine((b) => (b.toAgentId === undefined) !== (b.toEmail === undefined), {
            message: 'give either toAgentId or toEmail',
          }),
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      let toAgentId = request.body.toAgentId;
      if (request.body.toEmail !== undefined) {
        const target = await d.store.agents.findByEmail(request.body.toEmail.trim().toLowerCase());
        if (!target) throw new AppError('not_found', 'There is no agent with that e-mail.');
        toAgentId = target.id;
      }
      const row = await d.service.handoff(request.params.id, agent.id, toAgentId ?? '');
      return { presentation: await detailWithViewers(row) };
    },
  );

  r.get(
    '/api/v1/presentations/:id/record',
    {
      schema: {
        tags,
        summary:
          'The session record: devices, what was shown and for how long, reactions, hidden tabs (JSON or CSV).',
        params: pidParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
      },
    },
    async (request, reply) => {
      const { agent } = await requireAgent(request);
      const row = await d.service.owned(request.params.id, agent.id);
      const events = await d.store.events.listFor(row.id);
      const record = buildRecord(row.id, events, row.endedAt ?? d.now());
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="presentation-${row.id}.csv"`)
          .send(recordCsv(record));
      }
      return record;
    },
  );

  // ---------------------------------------------------------------- live unit status

  r.patch(
    '/api/v1/inventory/units/:id',
    {
      schema: {
        tags,
        summary:
          "Changes a unit's status, price or offer; every console and buyer screen showing it updates at once.",
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
        body: z
          .object({
            status: z.enum(UNIT_STATUSES).optional(),
            price: z.number().int().positive().max(1e11).optional(),
            offer: z.string().trim().max(200).nullable().optional(),
          })
          .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' }),
      },
    },
    async (request) => {
      const { agent } = await requireAgent(request);
      const updated = await d.store.inventory.modifyUnit(request.params.id, (unit) =>
        changeUnit(unit, request.body, agent.name, d.now()),
      );
      if (!updated) throw new AppError('not_found', 'There is no such unit.');
      await d.publishUnits([updated]);
      return { unit: updated };
    },
  );
}

/** A unit's new version after an agent's edit; reservation details follow the status. */
function changeUnit(
  unit: Unit,
  change: { status?: UnitStatus; price?: number; offer?: string | null },
  agentName: string,
  now: number,
): Unit {
  const next: Unit = { ...unit, internal: { ...unit.internal } };
  if (change.price !== undefined) {
    next.price = change.price;
    next.pricePerM2 = Math.round(change.price / unit.areaTotal);
  }
  if (change.offer !== undefined) next.offer = change.offer === '' ? null : change.offer;
  if (change.status !== undefined && change.status !== unit.status) {
    next.status = change.status;
    if (change.status === 'reserved') {
      next.internal.reservedBy = agentName;
      next.internal.reservedUntil = new Date(now + 3 * 24 * 3600_000).toISOString().slice(0, 10);
    } else if (change.status === 'available') {
      next.internal.reservedBy = null;
      next.internal.reservedUntil = null;
      next.internal.buyerName = null;
      next.internal.dealStage = null;
    }
  }
  return next;
}
