/**
 * The HTTP surface: sign-in and CSRF, input errors, the buyer's page and its headers, and the
 * operator endpoints. Test names cite docs/SPEC.md where a rule applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sessionHash } from '../src/server/agents/auth.js';
import { SESSION_SWEEP_MS } from '../src/server/housekeeping.js';
import { startHarness, until } from './support/harness.js';
import type { Agent, Harness } from './support/harness.js';

describe('HTTP API', () => {
  let h: Harness;
  let anna: Agent;

  beforeAll(async () => {
    h = await startHarness('sqlite', { HEARTBEAT_SECONDS: '300' });
    anna = await h.login();
  });

  afterAll(async () => {
    await h.close();
  });

  describe('agents', () => {
    it('refuses a wrong password with invalid_credentials and sets no cookie', async () => {
      const res = await fetch(`${h.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'anna@demo.local', password: 'wrong' }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'invalid_credentials',
      );
    });

    it('sets an httpOnly, SameSite session cookie on sign-in', async () => {
      const res = await fetch(`${h.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'anna@demo.local', password: 'demo-password' }),
      });
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^rp_session=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
    });

    it('refuses a change without the CSRF token even with a valid cookie', async () => {
      const res = await fetch(`${h.url}/api/v1/presentations`, {
        method: 'POST',
        headers: { cookie: anna.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ buyer: { name: 'Иван', contact: 'ivan@example.com' } }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    });

    it('refuses a change sent from a foreign origin', async () => {
      const res = await fetch(`${h.url}/api/v1/presentations`, {
        method: 'POST',
        headers: {
          cookie: anna.cookie,
          'x-csrf-token': anna.csrf,
          origin: 'https://evil.example',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ buyer: { name: 'Иван', contact: 'ivan@example.com' } }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'origin_not_allowed',
      );
    });

    it('answers 401 without a session', async () => {
      const res = await fetch(`${h.url}/api/v1/presentations`);
      expect(res.status).toBe(401);
    });

    it('explains which fields of a request are invalid', async () => {
      const res = await anna.api<{ error: { code: string; details: { field: string }[] } }>(
        'POST',
        '/api/v1/presentations',
        { buyer: { name: '', contact: 'not a contact' }, lifetimeMinutes: 'soon' },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      const fields = res.body.error.details.map((d) => d.field).join(' ');
      expect(fields).toContain('lifetimeMinutes');
    });

    it('refuses a lifetime outside 5 minutes to 8 hours', async () => {
      for (const lifetimeMinutes of [4, 481]) {
        const res = await anna.api<{ error: { code: string; message: string } }>(
          'POST',
          '/api/v1/presentations',
          { buyer: { name: 'Иван', contact: 'ivan@example.com' }, lifetimeMinutes },
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('between 5 and 480');
      }
    });

    it('creates a buyer on the fly and finds it again by a part of its name', async () => {
      await anna.createPresentation();
      const res = await anna.api<{ buyers: { name: string }[] }>('GET', '/api/v1/buyers?q=иван');
      expect(res.body.buyers.some((b) => b.name === 'Иван Петров')).toBe(true);
    });

    it('extends a live presentation, capped at the maximum lifetime', async () => {
      const p = await anna.createPresentation({ lifetimeMinutes: 60 });
      const first = await anna.api<{ presentation: { expiresAt: string } }>(
        'POST',
        `/api/v1/presentations/${p.id}/extend`,
        { minutes: 30 },
      );
      expect(Date.parse(first.body.presentation.expiresAt)).toBe(h.clock.now() + 90 * 60_000);

      await anna.api('POST', `/api/v1/presentations/${p.id}/extend`, { minutes: 480 });
      const capped = await anna.api<{ error: { code: string } }>(
        'POST',
        `/api/v1/presentations/${p.id}/extend`,
        { minutes: 10 },
      );
      expect(capped.status).toBe(409);
      expect(capped.body.error.code).toBe('lifetime_exceeded');
    });

    it('lets one extension ask for up to MAX_LIFETIME_MIN, not a fixed 480 minutes', async () => {
      const long = await startHarness('sqlite', {
        HEARTBEAT_SECONDS: '300',
        MAX_LIFETIME_MIN: '720',
      });
      try {
        const agent = await long.login();
        const p = await agent.createPresentation({ lifetimeMinutes: 60 });
        const created = long.clock.now();
        const extend = (minutes: number) =>
          agent.api<{ presentation: { expiresAt: string }; error: { code: string } }>(
            'POST',
            `/api/v1/presentations/${p.id}/extend`,
            { minutes },
          );

        const tooMuch = await extend(721);
        expect(tooMuch.status).toBe(400);
        expect(tooMuch.body.error.code).toBe('invalid_request');

        const first = await extend(600);
        expect(first.status).toBe(200);
        expect(Date.parse(first.body.presentation.expiresAt)).toBe(created + 660 * 60_000);

        // The presentation's maximum lifetime still bounds the total.
        const capped = await extend(600);
        expect(capped.status).toBe(200);
        expect(Date.parse(capped.body.presentation.expiresAt)).toBe(created + 720 * 60_000);
        expect((await extend(1)).body.error.code).toBe('lifetime_exceeded');
      } finally {
        await long.close();
      }
    });

    it('answers an API body over 64 KiB with 413 payload_too_large, not frame_too_large', async () => {
      const res = await anna.api<{ error: { code: string; message: string } }>(
        'POST',
        '/api/v1/buyers',
        { name: 'Иван', contact: 'ivan@example.com', pad: 'x'.repeat(65 * 1024) },
      );
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(res.body.error.message).toMatch(/request body/i);
    });

    it('deletes an expired sign-in session at the next housekeeping pass', async () => {
      const short = await startHarness('sqlite', { HEARTBEAT_SECONDS: '300', SESSION_HOURS: '1' });
      try {
        const hashOf = (cookie: string) => sessionHash(cookie.slice('rp_session='.length));
        const early = await short.login();
        short.clock.advance(30 * 60_000);
        const later = await short.login();
        expect(await short.store.sessions.find(hashOf(early.cookie))).toBeDefined();

        // The early session expires at one hour; a pass falls within the next interval.
        short.clock.advance(30 * 60_000 + SESSION_SWEEP_MS);
        await until(async () =>
          expect(await short.store.sessions.find(hashOf(early.cookie))).toBeUndefined(),
        );
        expect(await short.store.sessions.find(hashOf(later.cookie))).toBeDefined();
      } finally {
        await short.close();
      }
    });

    it('records every transition with its time and reason', async () => {
      const p = await anna.createPresentation();
      await anna.api('POST', `/api/v1/presentations/${p.id}/extend`, { minutes: 15 });
      await anna.api('POST', `/api/v1/presentations/${p.id}/end`);
      const res = await anna.api<{ events: { kind: string; reason: string | null; at: string }[] }>(
        'GET',
        `/api/v1/presentations/${p.id}/events`,
      );
      expect(res.body.events.map((e) => e.kind)).toEqual([
        'created',
        'link_issued',
        'extended',
        'ended',
      ]);
      expect(res.body.events.at(-1)!.reason).toBe('agent_ended');
      expect(res.body.events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    });
  });

  describe("the buyer's page", () => {
    it('R24: carries no-referrer, no-store, noindex and a strict CSP', async () => {
      const p = await anna.createPresentation();
      const res = await fetch(`${h.url}/p/${p.token}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-robots-tag')).toContain('noindex');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    });

    it('R24: embeds the current state and the agent for the first frame', async () => {
      const p = await anna.createPresentation();
      const html = await (await fetch(`${h.url}/p/${p.token}`)).text();
      const json = /<script id="rp-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html);
      expect(json).not.toBeNull();
      const data = JSON.parse(json![1]!) as {
        presentation: { agent: { name: string } };
        state: { view: string };
        inventory: {
          complex: { buildings: { id: string }[] };
          units: unknown[];
          buildingSummaries: Record<string, { available: number }>;
        };
        inventoryScope: { sections: string[]; units: string[] };
        inventoryUrl: string;
      };
      expect(data.presentation.agent.name).toBe('Анна Смирнова');
      expect(data.state.view).toBe('overview');
      // The overview draws the buildings and their sums, no unit: the rest comes after.
      expect(data.inventory.units).toEqual([]);
      expect(data.inventory.complex.buildings.length).toBeGreaterThan(0);
      for (const building of data.inventory.complex.buildings) {
        expect(data.inventory.buildingSummaries[building.id]!.available).toBeGreaterThan(0);
      }
      expect(data.inventoryScope).toEqual({ sections: [], units: [] });
      expect(data.inventoryUrl).toMatch(/^\/api\/v1\/viewer\/inventory\/[\w-]+$/);
      expect(html.length).toBeLessThan(20_000);
    });

    it('serves the whole inventory to a link holder, cacheable by its version', async () => {
      const p = await anna.createPresentation();
      const html = await (await fetch(`${h.url}/p/${p.token}`)).text();
      const json = /<script id="rp-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html);
      const { inventoryUrl } = JSON.parse(json![1]!) as { inventoryUrl: string };

      const res = await fetch(`${h.url}${inventoryUrl}`, {
        headers: { 'x-viewer-token': p.token, 'accept-encoding': 'br, gzip' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-encoding')).toMatch(/br|gzip/);
      const body = (await res.json()) as { units: unknown[]; buildingSummaries?: unknown };
      expect(body.units.length).toBeGreaterThan(700);
      expect(body.buildingSummaries).toBeUndefined();

      // Another version (the inventory changed since the page loaded): the current one, uncached.
      const stale = await fetch(`${h.url}/api/v1/viewer/inventory/old-version`, {
        headers: { 'x-viewer-token': p.token },
      });
      expect(stale.status).toBe(200);
      expect(stale.headers.get('cache-control')).toBe('no-store');
      expect(((await stale.json()) as { units: unknown[] }).units.length).toBe(body.units.length);

      // No token, a wrong one, or a link no longer valid: nothing.
      expect((await fetch(`${h.url}${inventoryUrl}`)).status).toBe(404);
      const wrong = await fetch(`${h.url}${inventoryUrl}`, {
        headers: { 'x-viewer-token': 'nope' },
      });
      expect(wrong.status).toBe(404);
      await anna.api('POST', `/api/v1/presentations/${p.id}/revoke`);
      const revoked = await fetch(`${h.url}${inventoryUrl}`, {
        headers: { 'x-viewer-token': p.token },
      });
      expect(revoked.status).toBe(410);
      expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe(
        'link_revoked',
      );
    });

    it('R24: answers unknown 404, expired 410, revoked 410 and ended 410, each saying which', async () => {
      const codeOf = async (token: string) => {
        const res = await fetch(`${h.url}/p/${token}`);
        const html = await res.text();
        const data = /id="rp-bootstrap"[^>]*>(.*?)<\/script>/s.exec(html)![1]!;
        return [res.status, (JSON.parse(data) as { error?: { code: string } }).error?.code];
      };
      expect(await codeOf('nope')).toEqual([404, 'link_invalid']);
      expect(await codeOf('x'.repeat(43))).toEqual([404, 'link_invalid']);

      const revoked = await anna.createPresentation();
      await anna.api('POST', `/api/v1/presentations/${revoked.id}/revoke`);
      expect(await codeOf(revoked.token)).toEqual([410, 'link_revoked']);

      const ended = await anna.createPresentation();
      await anna.api('POST', `/api/v1/presentations/${ended.id}/end`);
      expect(await codeOf(ended.token)).toEqual([410, 'presentation_ended']);

      const expired = await anna.createPresentation({ lifetimeMinutes: 5 });
      h.clock.advance(5 * 60_000);
      expect(await codeOf(expired.token)).toEqual([410, 'link_expired']);
    });

    it('never escapes the bootstrap script, whatever the agent or buyer strings hold', async () => {
      const res = await anna.api<{ link: { url: string } }>('POST', '/api/v1/presentations', {
        buyer: { name: '</script><script>alert(1)</script>', contact: 'x@example.com' },
      });
      const html = await (await fetch(res.body.link.url)).text();
      expect(html.match(/<\/script>/g)).toHaveLength(html.match(/<script/g)!.length);
      expect(html).not.toContain('alert(1)</script>');
    });
  });

  describe('operations', () => {
    it('reports health and readiness', async () => {
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${h.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe('ready');
    });

    it('exposes Prometheus metrics without presentation ids or tokens', async () => {
      const p = await anna.createPresentation();
      const text = await (await fetch(`${h.url}/metrics`)).text();
      expect(text).toContain('rp_connections');
      expect(text).toContain('rp_fanout_seconds');
      expect(text).not.toContain(p.id);
      expect(text).not.toContain(p.token);
    });

    it('serves an OpenAPI document generated from the route schemas', async () => {
      const doc = (await (await fetch(`${h.url}/api/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/presentations', '/api/v1/presentations/{id}/revoke']),
      );
    });

    it('answers unknown routes with a coded 404', async () => {
      const res = await fetch(`${h.url}/api/v1/nothing-here`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    });
  });
});
