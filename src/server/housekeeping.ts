/**
 * Node housekeeping that is not about any one connection: storage rows that outlived their use.
 * Every node runs it; the deletes are idempotent, so several nodes doing it at once is harmless.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from './clock.js';
import type { Store } from './storage/store.js';

/** How often expired agent sign-in sessions are deleted. */
export const SESSION_SWEEP_MS = 10 * 60_000;

/** Starts the periodic chores; the handle stops them. */
export function startHousekeeping(deps: { store: Store; clock: Clock; log: Logger }): TimerHandle {
  const { store, clock, log } = deps;
  return clock.every(SESSION_SWEEP_MS, () => {
    store.sessions
      .deleteExpired(clock.now())
      .then((deleted) => {
        if (deleted > 0) log.debug({ deleted }, 'expired agent sessions deleted');
      })
      .catch((err: unknown) => log.warn({ err }, 'deleting expired agent sessions failed'));
  });
}
