/**
 * What a buyer's link opens. The page comes with the current view state and the part of the
 * buyer-safe inventory that state draws, so the first frame needs no further round trip; the
 * page fetches the whole inventory by its version once it is live. Every answer carries headers
 * that keep the link out of referrers, caches and search engines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { AppError, ERRORS } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import type { PublicInventory } from '../../core/inventory.js';
import type { PresentationView } from '../../core/protocol.js';
import { cutInventory } from '../../core/view-inventory.js';
import type { InventoryScope } from '../../core/view-inventory.js';
import type { Catalogue } from '../inventory/catalogue.js';
import type { PresentationService } from '../presentations/service.js';
import type { Realtime } from '../realtime/realtime.js';

export const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function setViewerHeaders(reply: FastifyReply): void {
  void reply.headers({
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex, nofollow',
    'content-security-policy': VIEWER_CSP,
    'x-content-type-options': 'nosniff',
  });
}

export interface ViewerBootstrap {
  presentation: PresentationView | null;
  seq?: number;
  state?: unknown;
  inventory?: PublicInventory;
  /**
   * Set when `inventory` is cut to what the state draws (the page, not the JSON bootstrap):
   * what the cut holds, and where the whole inventory is, to fetch with the viewer token.
   */
  inventoryScope?: InventoryScope;
  inventoryUrl?: string;
  error?: { code: ErrorCode; message: string };
  /** After the end, for a while: the units the buyer was shown, for the end screen's recap. */
  recap?: { unitIds: string[]; availableUntil: string };
}

export interface ViewerRouteDeps {
  service: PresentationService;
  realtime: Realtime;
  catalogue: Catalogue;
  screensDir: string;
  recapMs: number;
  now(): number;
}

export function viewerRoutes(app: FastifyInstance, d: ViewerRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const template = loadTemplate(d.screensDir);

  /**
   * Everything a viewer needs for its first frame, or the reason it cannot have it. The page
   * gets the inventory cut to the view; an SDK client asking for JSON gets all of it.
   */
  async function bootstrap(
    token: string,
    forPage: boolean,
  ): Promise<{ status: number; body: ViewerBootstrap }> {
    const link = await d.service.resolveLink(token);
    if (!link.ok) {
      const error = { code: link.code, message: ERRORS[link.code].message };
      const body: ViewerBootstrap = { presentation: link.view, error };
      const endedAt = link.view?.endedAt ? Date.parse(link.view.endedAt) : null;
      const recapOpen =
        link.view !== null &&
        endedAt !== null &&
        (link.code === 'presentation_ended' || link.code === 'link_expired') &&
        d.now() < endedAt + d.recapMs;
      if (recapOpen && link.view) {
        body.recap = {
          unitIds: await d.service.shownUnits(link.view.id),
          availableUntil: new Date(endedAt + d.recapMs).toISOString(),
        };
        const whole = d.catalogue.publicInventory;
        if (forPage) {
          // The end screen's recap draws the units shown, and nothing else.
          const shown = new Set(body.recap.unitIds);
          body.inventory = {
            complex: whole.complex,
            units: whole.units.filter((unit) => shown.has(unit.id)),
          };
        } else {
          body.inventory = whole;
        }
      }
      return { status: ERRORS[link.code].status, body };
    }
    const hub = await d.realtime.hub(link.row);
    const body: ViewerBootstrap = {
      presentation: hub.view,
      seq: hub.seq,
      state: hub.state,
      inventory: d.catalogue.publicInventory,
    };
    const cut = forPage ? cutInventory(d.catalogue.publicInventory, hub.state) : null;
    if (cut) {
      body.inventory = cut.inventory;
      body.inventoryScope = cut.scope;
      body.inventoryUrl = `/api/v1/viewer/inventory/${d.catalogue.publicJson.version}`;
    }
    return { status: 200, body };
  }

  const linkRateLimit = { rateLimit: { max: 120, timeWindow: '1 minute' } };

  r.get(
    '/p/:token',
    {
      schema: {
        tags: ['viewer'],
        summary:
          "The buyer's page. Unknown, expired, revoked and ended links each get their own screen.",
        params: z.object({ token: z.string().max(4096) }),
      },
      config: linkRateLimit,
      // The token is the capability: it must not reach the access log.
      logLevel: 'warn',
    },
    async (request, reply) => {
      setViewerHeaders(reply);
      let result: { status: number; body: ViewerBootstrap };
      try {
        result = await bootstrap(request.params.token, true);
      } catch (err) {
        request.log.error({ err }, 'viewer bootstrap failed');
        const code: ErrorCode = 'unavailable';
        result = {
          status: 503,
          body: { presentation: null, error: { code, message: ERRORS[code].message } },
        };
      }
      return reply
        .code(result.status)
        .type('text/html; charset=utf-8')
        .send(renderViewerPage(template, result.body));
    },
  );

  r.get(
    '/api/v1/viewer/session',
    {
      schema: {
        tags: ['viewer'],
        summary:
          'The bootstrap of a viewer link as JSON, for SDK clients; the token goes in the x-viewer-token header.',
      },
      config: linkRateLimit,
    },
    async (request: FastifyRequest, reply) => {
      setViewerHeaders(reply);
      const token = request.headers['x-viewer-token'];
      if (typeof token !== 'string') throw new AppError('link_invalid');
      const result = await bootstrap(token, false);
      if (result.body.error)
        throw new AppError(result.body.error.code, undefined, {
          presentation: result.body.presentation,
        });
      return result.body;
    },
  );

  r.get(
    '/api/v1/viewer/inventory/:version',
    {
      schema: {
        tags: ['viewer'],
        summary:
          "The whole buyer-safe inventory, which the buyer's page fetches after its first frame; the token goes in the x-viewer-token header. Asked for by its current version, it may be cached for good.",
        params: z.object({ version: z.string().max(64) }),
      },
      config: linkRateLimit,
    },
    async (request, reply) => {
      const token = request.headers['x-viewer-token'];
      if (typeof token !== 'string') throw new AppError('link_invalid');
      const link = await d.service.resolveLink(token);
      if (!link.ok) throw new AppError(link.code);
      const { json, version } = d.catalogue.publicJson;
      // The version names this very text, so the browser need never ask again; a page holding
      // an older version gets the current text, which no one may keep.
      const current = request.params.version === version;
      return reply
        .headers({
          'referrer-policy': 'no-referrer',
          'x-robots-tag': 'noindex, nofollow',
          'x-content-type-options': 'nosniff',
          'cache-control': current ? 'private, max-age=31536000, immutable' : 'no-store',
          etag: `"${version}"`,
        })
        .type('application/json; charset=utf-8')
        .send(json);
    },
  );
}

/** The page for a link that is no token at all, e.g. one the router could not even decode. */
export function sendInvalidLink(reply: FastifyReply, screensDir: string): FastifyReply {
  setViewerHeaders(reply);
  const code: ErrorCode = 'link_invalid';
  const body: ViewerBootstrap = {
    presentation: null,
    error: { code, message: ERRORS[code].message },
  };
  return reply
    .code(ERRORS[code].status)
    .type('text/html; charset=utf-8')
    .send(renderViewerPage(loadTemplate(screensDir), body));
}

function loadTemplate(screensDir: string): string | null {
  try {
    return readFileSync(join(screensDir, 'viewer', 'index.html'), 'utf8');
  } catch {
    return null;
  }
}

/** JSON inside a script element: `<` is escaped so no buyer or agent string can close it. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderViewerPage(template: string | null, body: ViewerBootstrap): string {
  const data = `<script id="rp-bootstrap" type="application/json">${embedJson(body)}</script>`;
  if (template) return template.replace('<!--rp-bootstrap-->', data);
  // The screens were not built (a development checkout): say so instead of a blank page.
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Remote Presentation</title>' +
    `</head><body><p>The viewer has not been built; run <code>npm run build</code>.</p>${data}</body></html>`
  );
}
