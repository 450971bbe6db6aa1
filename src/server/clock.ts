/**
 * Time, injectable. Expiry, grace periods and heartbeats read the clock through this interface
 * so tests can move time forward without waiting for it.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`. Long delays are fine: the system clock re-arms past 24 days. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    let timer: NodeJS.Timeout;
    const due = Date.now() + ms;
    const arm = (): void => {
      const left = due - Date.now();
      timer = setTimeout(left > MAX_TIMEOUT ? arm : fn, Math.min(Math.max(left, 0), MAX_TIMEOUT));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};
