/**
 * The presentation lifecycle as a pure function: given the current fields, an event and the
 * time, it returns the changes to persist and the record to write, or why the event is refused.
 *
 *   created ──presenter joins──▶ live ◀──presenter returns── agent_away
 *                                 │ └──presenter leaves──────────▲ │
 *                                 ▼                                ▼
 *        ended (agent_ended | grace_timeout | expired | revoked) ◀─┘
 *
 * Timer events (grace, expiry) and presence events are idempotent: arriving late or twice
 * changes nothing. Agent commands on an ended presentation are refused.
 */
import type { EndReason, PresentationStatus } from '../../core/protocol.js';
import type { PresentationRow, PresentationUpdate } from '../storage/store.js';

export type LifecycleEvent =
  | { kind: 'presenter_joined' }
  | { kind: 'presenter_left' }
  | { kind: 'grace_elapsed' }
  | { kind: 'expiry_reached' }
  | { kind: 'end' }
  | { kind: 'revoke' }
  | { kind: 'extend'; minutes: number };

export type LifecycleFields = Pick<
  PresentationRow,
  'status' | 'expiresAt' | 'maxExpiresAt' | 'graceEndsAt' | 'endReason'
>;

export type Transition =
  | { ok: true; changes: PresentationUpdate; record: { kind: string; reason: string | null } }
  | { ok: true; changes: null }
  | { ok: false; code: 'invalid_transition' | 'lifetime_exceeded' };

const NOTHING: Transition = { ok: true, changes: null };

function ended(reason: EndReason, now: number): Transition {
  return {
    ok: true,
    changes: { status: 'ended', endReason: reason, endedAt: now, graceEndsAt: null },
    record: { kind: 'ended', reason },
  };
}

export function transition(
  p: LifecycleFields,
  event: LifecycleEvent,
  now: number,
  graceMs: number,
): Transition {
  const isEnded = p.status === 'ended';

  switch (event.kind) {
    case 'presenter_joined':
      if (p.status === 'created' || p.status === 'agent_away') {
        return {
          ok: true,
          changes: { status: 'live', graceEndsAt: null },
          record: { kind: 'live', reason: p.status === 'agent_away' ? 'agent_returned' : null },
        };
      }
      return NOTHING;

    case 'presenter_left':
      if (p.status !== 'live') return NOTHING;
      return {
        ok: true,
        changes: { status: 'agent_away', graceEndsAt: now + graceMs },
        record: { kind: 'agent_away', reason: null },
      };

    case 'grace_elapsed':
      if (p.status !== 'agent_away' || p.graceEndsAt === null || now < p.graceEndsAt) {
        return NOTHING;
      }
      return ended('grace_timeout', now);

    case 'expiry_reached':
      if (isEnded || now < p.expiresAt) return NOTHING;
      return ended('expired', now);

    case 'end':
      return isEnded ? { ok: false, code: 'invalid_transition' } : ended('agent_ended', now);

    case 'revoke':
      return isEnded ? { ok: false, code: 'invalid_transition' } : ended('revoked', now);

    case 'extend': {
      if (isEnded) return { ok: false, code: 'invalid_transition' };
      if (p.expiresAt >= p.maxExpiresAt) return { ok: false, code: 'lifetime_exceeded' };
      const wanted = Math.max(p.expiresAt, now) + event.minutes * 60_000;
      const expiresAt = Math.min(wanted, p.maxExpiresAt);
      return {
        ok: true,
        changes: { expiresAt },
        record: { kind: 'extended', reason: expiresAt < wanted ? 'capped_at_maximum' : null },
      };
    }
  }
}

/** Whether a viewer may watch: the presentation has not ended and has not run out of time. */
export function isWatchable(p: { status: PresentationStatus; expiresAt: number }, now: number) {
  return p.status !== 'ended' && now < p.expiresAt;
}
