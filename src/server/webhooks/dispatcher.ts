/**
 * Delivers activities to the host system's webhook URL.
 *
 * `record` only queues: it inserts a delivery row and returns, so neither a slow database nor a
 * slow receiver ever holds up a presentation. A worker, ticking every second, claims due rows
 * with a conditional update (so nodes sharing a database never both send one), POSTs each
 * signed body and stores the outcome: delivered, pending again after a backoff, or failed once
 * the attempts run out. Every try is appended to the row's attempt log.
 */
import { performance } from 'node:perf_hooks';

import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../clock.js';
import type { Config } from '../config.js';
import { newId } from '../links/tokens.js';
import type { Activity, ActivitySink } from '../presentations/activity.js';
import type {
  Store,
  WebhookAttempt,
  WebhookDeliveryRow,
  WebhookSettlement,
} from '../storage/store.js';
import { toWebhookEvent } from './event.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhook } from './signature.js';

export const USER_AGENT = 'remote-presentation-webhooks/1';

const TICK_MS = 1000;
/** A claim outlives the request timeout by far, so it never lapses while a send is running. */
const CLAIM_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 3_600_000;
/** Deliveries sent at once per round, and rounds per tick when the queue is long. */
const BATCH_SIZE = 20;
const MAX_ROUNDS = 5;
const MAX_ERROR_LENGTH = 200;
const PRUNE_EVERY_MS = 3_600_000;
/** Delivered and failed deliveries are kept this long for the attempts view, then deleted. */
export const RETENTION_MS = 30 * 24 * 3_600_000;

export interface WebhookDispatcherOptions {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'webhookUrl' | 'webhookSecret' | 'webhookMaxAttempts'>;
  log: Logger;
  /** How long one request may take; 10 s unless a test shortens it. */
  timeoutMs?: number;
}

/** The most a retry waits after the n-th failed try: 2^n seconds, at most an hour. */
export function backoffCapMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, MAX_BACKOFF_MS);
}

/** Full jitter: anywhere between one second and the cap, so failed nodes do not retry in step. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  return Math.max(1000, Math.floor(random() * backoffCapMs(attempts)));
}

/** The attempt log of a delivery row, oldest first. */
export function attemptsOf(row: Pick<WebhookDeliveryRow, 'attemptLogJson'>): WebhookAttempt[] {
  return JSON.parse(row.attemptLogJson) as WebhookAttempt[];
}

export class WebhookDispatcher implements ActivitySink {
  readonly #d: WebhookDispatcherOptions;
  readonly #timeoutMs: number;
  readonly #inserts = new Set<Promise<void>>();
  #timer: TimerHandle | null = null;
  #ticking: Promise<void> | null = null;
  #stopped = false;
  #prunedAt = -Infinity;

  constructor(options: WebhookDispatcherOptions) {
    this.#d = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Webhooks are on when a URL and a secret are configured; otherwise every call is a no-op. */
  get enabled(): boolean {
    return Boolean(this.#d.config.webhookUrl && this.#d.config.webhookSecret);
  }

  record(activity: Activity, at: number): void {
    if (!this.enabled) return;

    try {
      const id = newId('evt');
      const delivery: WebhookDeliveryRow = {
        id,
        eventType: activity.type,
        presentationId: activity.presentationId,
        payloadJson: JSON.stringify(toWebhookEvent(id, activity, at)),
        status: 'pending',
        attempts: 0,
        attemptLogJson: '[]',
        createdAt: at,
        nextAttemptAt: at,
        lockedUntil: null,
        deliveredAt: null,
      };
      const insert = this.#d.store.webhooks.create(delivery).catch((err: unknown) => {
        this.#d.log.error(
          { err, eventId: id, eventType: activity.type, presentationId: activity.presentationId },
          'webhook not queued',
        );
      });
      this.#inserts.add(insert);
      void insert.finally(() => this.#inserts.delete(insert));
    } catch (err) {
      this.#d.log.error({ err, eventType: activity.type }, 'webhook not queued');
    }
  }

  /** Starts the worker; call once the node is listening. */
  start(): void {
    if (!this.enabled || this.#timer || this.#stopped) return;
    this.#timer = this.#d.clock.every(TICK_MS, () => void this.tick());
  }

  /** Stops the worker and waits for queued inserts and sends under way (each ends by its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#ticking;
    await Promise.all(this.#inserts);
  }

  /**
   * One pass of the worker: sends what is due now. The timer calls it every second; tests call
   * it directly after moving their clock. A call while a pass runs joins that pass.
   */
  tick(): Promise<void> {
    if (!this.enabled || this.#stopped) return Promise.resolve();
    this.#ticking ??= this.#work().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #work(): Promise<void> {
    const { store, clock, log } = this.#d;
    try {
      // Activities recorded before this pass are sent by it.
      await Promise.all(this.#inserts);
      await this.#prune();

      for (let round = 0; round < MAX_ROUNDS && !this.#stopped; round++) {
        const due = await store.webhooks.listDue(clock.now(), BATCH_SIZE);
        await Promise.all(due.map((row) => this.#deliver(row.id)));
        if (due.length < BATCH_SIZE) break;
      }
    } catch (err) {
      log.error({ err }, 'webhook worker pass failed');
    }
  }

  async #prune(): Promise<void> {
    const now = this.#d.clock.now();
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;

    this.#prunedAt = now;
    const deleted = await this.#d.store.webhooks.prune(now - RETENTION_MS);
    if (deleted > 0) this.#d.log.info({ deleted }, 'old webhook deliveries deleted');
  }

  async #deliver(id: string): Promise<void> {
    const { store, clock, config, log } = this.#d;
    try {
      const claimedAt = clock.now();
      const lockedUntil = claimedAt + CLAIM_MS;
      const row = await store.webhooks.claim(id, claimedAt, lockedUntil);
      if (!row) return; // another worker has it, or it was settled since it was listed

      const attempt = await this.#send(row);
      const attempts = row.attempts + 1;
      const attemptLogJson = JSON.stringify([...attemptsOf(row), attempt]);
      let outcome: WebhookSettlement;
      if (attempt.error === null) {
        outcome = {
          status: 'delivered',
          attempts,
          attemptLogJson,
          nextAttemptAt: row.nextAttemptAt,
          deliveredAt: clock.now(),
        };
      } else if (attempts >= config.webhookMaxAttempts) {
        outcome = {
          status: 'failed',
          attempts,
          attemptLogJson,
          nextAttemptAt: row.nextAttemptAt,
          deliveredAt: null,
        };
      } else {
        outcome = {
          status: 'pending',
          attempts,
          attemptLogJson,
          nextAttemptAt: clock.now() + retryDelayMs(attempts),
          deliveredAt: null,
        };
      }

      const settled = await store.webhooks.settle(row.id, lockedUntil, outcome);
      const fields = {
        eventId: row.id,
        eventType: row.eventType,
        attempt: attempts,
        statusCode: attempt.statusCode,
        error: attempt.error,
      };
      if (!settled) log.warn(fields, 'webhook claim lapsed before its outcome was stored');
      else if (outcome.status === 'failed') log.error(fields, 'webhook delivery failed for good');
      else if (outcome.status === 'pending')
        log.warn(fields, 'webhook delivery failed; will retry');
    } catch (err) {
      log.error({ err, eventId: id }, 'webhook delivery could not be processed');
    }
  }

  async #send(row: WebhookDeliveryRow): Promise<WebhookAttempt> {
    const { clock, config } = this.#d;
    const url = config.webhookUrl ?? '';
    const secret = config.webhookSecret ?? '';
    const at = clock.now();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [EVENT_ID_HEADER]: row.id,
          [EVENT_TYPE_HEADER]: row.eventType,
          // Signed afresh on every try, so the timestamp says when this request was sent.
          [SIGNATURE_HEADER]: signWebhook(secret, row.payloadJson, Math.floor(at / 1000)),
        },
        body: row.payloadJson,
        // A redirect is a misconfigured URL: re-posting the body elsewhere would hide it.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // The receiver's answer is not used; dropping it frees the connection at once.
      await response.body?.cancel().catch(() => undefined);

      const ok = response.status >= 200 && response.status < 300;
      return {
        at,
        statusCode: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        durationMs: elapsed(),
      };
    } catch (err) {
      return { at, statusCode: null, error: this.#describe(err, secret), durationMs: elapsed() };
    }
  }

  /** A short reason for a failed request, never holding the secret. */
  #describe(err: unknown, secret: string): string {
    let text: string;
    if (err instanceof Error && err.name === 'TimeoutError') {
      text = `timed out after ${this.#timeoutMs} ms`;
    } else {
      // fetch reports network failures as "fetch failed" with the real reason as the cause.
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      text = reasonOf(cause);
    }
    if (secret !== '') text = text.replaceAll(secret, '[redacted]');
    return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0 && err.message === '') {
    return err.errors.map(reasonOf).join('; ');
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (err.message !== '') return err.message;
    return typeof code === 'string' ? code : err.name;
  }
  return String(err);
}
