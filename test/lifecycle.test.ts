/**
 * The presentation lifecycle as a pure function: each row of the transition table, the edges
 * of its deadlines, and a property over arbitrary sequences of events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { PresentationStatus } from '../src/core/protocol.js';
import { isWatchable, transition } from '../src/server/presentations/lifecycle.js';
import type { LifecycleEvent, LifecycleFields } from '../src/server/presentations/lifecycle.js';
import type { PresentationUpdate } from '../src/server/storage/store.js';

const MINUTE = 60_000;
const GRACE = 2 * MINUTE;
const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);

function fields(overrides: Partial<LifecycleFields> = {}): LifecycleFields {
  return {
    status: 'live',
    expiresAt: NOW + 60 * MINUTE,
    maxExpiresAt: NOW + 480 * MINUTE,
    graceEndsAt: null,
    endReason: null,
    ...overrides,
  };
}

const away = (graceEndsAt = NOW + GRACE) => fields({ status: 'agent_away', graceEndsAt });
const endedFields = fields({ status: 'ended', endReason: 'agent_ended' });

describe('presenter presence', () => {
  it('makes a created presentation live when the presenter joins', () => {
    expect(
      transition(fields({ status: 'created' }), { kind: 'presenter_joined' }, NOW, GRACE),
    ).toEqual({
      ok: true,
      changes: { status: 'live', graceEndsAt: null },
      record: { kind: 'live', reason: null },
    });
  });

  it('makes a live presentation agent_away with the grace deadline at now plus grace', () => {
    expect(transition(fields(), { kind: 'presenter_left' }, NOW, GRACE)).toEqual({
      ok: true,
      changes: { status: 'agent_away', graceEndsAt: NOW + GRACE },
      record: { kind: 'agent_away', reason: null },
    });
  });

  it('makes an agent_away presentation live again and clears the grace deadline', () => {
    expect(transition(away(), { kind: 'presenter_joined' }, NOW + 1000, GRACE)).toEqual({
      ok: true,
      changes: { status: 'live', graceEndsAt: null },
      record: { kind: 'live', reason: 'agent_returned' },
    });
  });

  it('changes nothing when the presenter joins a presentation that is already live', () => {
    expect(transition(fields(), { kind: 'presenter_joined' }, NOW, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
  });

  it.each<PresentationStatus>(['created', 'agent_away', 'ended'])(
    'changes nothing when the presenter leaves a presentation that is %s',
    (status) => {
      const p = status === 'agent_away' ? away() : fields({ status });

      expect(transition(p, { kind: 'presenter_left' }, NOW, GRACE)).toEqual({
        ok: true,
        changes: null,
      });
    },
  );

  it('does not revive an ended presentation when the presenter joins', () => {
    expect(transition(endedFields, { kind: 'presenter_joined' }, NOW, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
  });
});

describe('the grace timer', () => {
  it('changes nothing one millisecond before the grace deadline', () => {
    const deadline = NOW + GRACE;

    expect(transition(away(deadline), { kind: 'grace_elapsed' }, deadline - 1, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
  });

  it('ends the presentation with grace_timeout at the grace deadline', () => {
    const deadline = NOW + GRACE;

    expect(transition(away(deadline), { kind: 'grace_elapsed' }, deadline, GRACE)).toEqual({
      ok: true,
      changes: {
        status: 'ended',
        endReason: 'grace_timeout',
        endedAt: deadline,
        graceEndsAt: null,
      },
      record: { kind: 'ended', reason: 'grace_timeout' },
    });
  });

  it('ends the presentation with grace_timeout when the timer fires late', () => {
    const result = transition(away(), { kind: 'grace_elapsed' }, NOW + GRACE + MINUTE, GRACE);

    expect(result).toMatchObject({
      ok: true,
      changes: { status: 'ended', endReason: 'grace_timeout', endedAt: NOW + GRACE + MINUTE },
    });
  });

  it('changes nothing when the grace timer fires after the presenter came back', () => {
    expect(transition(fields(), { kind: 'grace_elapsed' }, NOW + GRACE, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
  });

  it('changes nothing for an agent_away presentation without a grace deadline', () => {
    const p = fields({ status: 'agent_away', graceEndsAt: null });

    expect(transition(p, { kind: 'grace_elapsed' }, NOW + GRACE, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
  });
});

describe('the expiry timer', () => {
  const expiresAt = NOW + 60 * MINUTE;

  it('leaves the presentation watchable one millisecond before it expires', () => {
    const p = fields({ expiresAt });

    expect(transition(p, { kind: 'expiry_reached' }, expiresAt - 1, GRACE)).toEqual({
      ok: true,
      changes: null,
    });
    expect(isWatchable(p, expiresAt - 1)).toBe(true);
  });

  it('ends the presentation as expired at expiresAt exactly', () => {
    const p = fields({ expiresAt });

    expect(transition(p, { kind: 'expiry_reached' }, expiresAt, GRACE)).toEqual({
      ok: true,
      changes: { status: 'ended', endReason: 'expired', endedAt: expiresAt, graceEndsAt: null },
      record: { kind: 'ended', reason: 'expired' },
    });
    expect(isWatchable(p, expiresAt)).toBe(false);
  });

  it('ends an agent_away presentation as expired and clears its grace deadline', () => {
    const p = fields({ status: 'agent_away', graceEndsAt: expiresAt + GRACE, expiresAt });

    expect(transition(p, { kind: 'expiry_reached' }, expiresAt, GRACE)).toMatchObject({
      ok: true,
      changes: { status: 'ended', endReason: 'expired', graceEndsAt: null },
    });
  });

  it('ends a presentation nobody joined as expired', () => {
    const p = fields({ status: 'created', expiresAt });

    expect(transition(p, { kind: 'expiry_reached' }, expiresAt + 5, GRACE)).toMatchObject({
      ok: true,
      changes: { status: 'ended', endReason: 'expired', endedAt: expiresAt + 5 },
    });
  });
});

describe('agent commands', () => {
  it.each<[LifecycleEvent['kind'], string]>([
    ['end', 'agent_ended'],
    ['revoke', 'revoked'],
  ])('%s ends a live presentation with reason %s', (kind, reason) => {
    expect(transition(fields(), { kind } as LifecycleEvent, NOW, GRACE)).toEqual({
      ok: true,
      changes: { status: 'ended', endReason: reason, endedAt: NOW, graceEndsAt: null },
      record: { kind: 'ended', reason },
    });
  });

  it.each<PresentationStatus>(['created', 'agent_away'])(
    'end also ends a presentation that is %s',
    (status) => {
      const p = status === 'agent_away' ? away() : fields({ status });

      expect(transition(p, { kind: 'end' }, NOW, GRACE)).toMatchObject({
        ok: true,
        changes: { status: 'ended', endReason: 'agent_ended', graceEndsAt: null },
      });
    },
  );

  it.each<LifecycleEvent>([{ kind: 'end' }, { kind: 'revoke' }, { kind: 'extend', minutes: 30 }])(
    'refuses $kind on an ended presentation with invalid_transition',
    (event) => {
      expect(transition(endedFields, event, NOW, GRACE)).toEqual({
        ok: false,
        code: 'invalid_transition',
      });
    },
  );
});

describe('extending a presentation', () => {
  it('adds the minutes to expiresAt while it is still in the future', () => {
    const p = fields({ expiresAt: NOW + 10 * MINUTE });

    expect(transition(p, { kind: 'extend', minutes: 30 }, NOW, GRACE)).toEqual({
      ok: true,
      changes: { expiresAt: NOW + 40 * MINUTE },
      record: { kind: 'extended', reason: null },
    });
  });

  it('adds the minutes to now when expiresAt has already passed', () => {
    const p = fields({ expiresAt: NOW - 5 * MINUTE });

    expect(transition(p, { kind: 'extend', minutes: 30 }, NOW, GRACE)).toMatchObject({
      ok: true,
      changes: { expiresAt: NOW + 30 * MINUTE },
    });
  });

  it('caps expiresAt at maxExpiresAt and says it was capped', () => {
    const p = fields({ expiresAt: NOW + 50 * MINUTE, maxExpiresAt: NOW + 60 * MINUTE });

    expect(transition(p, { kind: 'extend', minutes: 30 }, NOW, GRACE)).toEqual({
      ok: true,
      changes: { expiresAt: NOW + 60 * MINUTE },
      record: { kind: 'extended', reason: 'capped_at_maximum' },
    });
  });

  it('does not call an extension that lands exactly on the maximum capped', () => {
    const p = fields({ expiresAt: NOW + 30 * MINUTE, maxExpiresAt: NOW + 60 * MINUTE });

    expect(transition(p, { kind: 'extend', minutes: 30 }, NOW, GRACE)).toEqual({
      ok: true,
      changes: { expiresAt: NOW + 60 * MINUTE },
      record: { kind: 'extended', reason: null },
    });
  });

  it('refuses with lifetime_exceeded when expiresAt is already at the maximum', () => {
    const p = fields({ expiresAt: NOW + 60 * MINUTE, maxExpiresAt: NOW + 60 * MINUTE });

    expect(transition(p, { kind: 'extend', minutes: 30 }, NOW, GRACE)).toEqual({
      ok: false,
      code: 'lifetime_exceeded',
    });
  });
});

describe('late timer and presence events on an ended presentation', () => {
  it.each<LifecycleEvent>([
    { kind: 'grace_elapsed' },
    { kind: 'expiry_reached' },
    { kind: 'presenter_left' },
    { kind: 'presenter_joined' },
  ])('change nothing for $kind, however late they arrive', (event) => {
    const p = fields({
      status: 'ended',
      endReason: 'grace_timeout',
      graceEndsAt: NOW,
      expiresAt: NOW,
    });

    expect(transition(p, event, NOW + 480 * MINUTE, GRACE)).toEqual({ ok: true, changes: null });
  });
});

describe('any sequence of events', () => {
  interface Row extends LifecycleFields {
    endedAt: number | null;
  }

  const eventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
    fc.constantFrom<LifecycleEvent>(
      { kind: 'presenter_joined' },
      { kind: 'presenter_left' },
      { kind: 'grace_elapsed' },
      { kind: 'expiry_reached' },
      { kind: 'end' },
      { kind: 'revoke' },
    ),
    fc
      .integer({ min: 1, max: 240 })
      .map((minutes): LifecycleEvent => ({ kind: 'extend', minutes })),
  );

  const stepsArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 30 * MINUTE })), {
    maxLength: 40,
  });

  it('never leaves ended, and sets endedAt and endReason exactly when it is ended', () => {
    fc.assert(
      fc.property(stepsArb, fc.integer({ min: 0, max: 600_000 }), (steps, graceMs) => {
        let now = NOW;
        let row: Row = {
          status: 'created',
          expiresAt: NOW + 60 * MINUTE,
          maxExpiresAt: NOW + 480 * MINUTE,
          graceEndsAt: null,
          endReason: null,
          endedAt: null,
        };

        for (const [event, wait] of steps) {
          now += wait;
          const wasEnded = row.status === 'ended';
          const result = transition(row, event, now, graceMs);
          if (result.ok && result.changes) {
            row = { ...row, ...(result.changes satisfies PresentationUpdate) };
          }

          if (wasEnded) expect(row.status).toBe('ended');
          expect(row.endedAt !== null).toBe(row.status === 'ended');
          expect(row.endReason !== null).toBe(row.status === 'ended');
          expect(row.graceEndsAt !== null).toBe(row.status === 'agent_away');
          expect(row.expiresAt).toBeLessThanOrEqual(row.maxExpiresAt);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
