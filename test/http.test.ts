/**
 * The HTTP surface: sign-in and CSRF, input errors, the buyer's page and its headers, and the
 * operator endpoints. Test names cite docs/SPEC.md where a rule applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHarness } from './support/harness.js';
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
        inventory: { units: unknown[] };
      };
      expect(data.presentation.agent.name).toBe('Анна Смирнова');
      expect(data.state.view).toBe('overview');
      expect(data.inventory.units.length).toBeGreaterThan(700);
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
