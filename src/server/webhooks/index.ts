/**
 * Webhooks for the host system: signed POSTs of every presentation activity, retried with
 * backoff, with their attempts visible to agents. See docs/webhooks.md.
 */
export {
  RETENTION_MS,
  USER_AGENT,
  WebhookDispatcher,
  attemptsOf,
  backoffCapMs,
  retryDelayMs,
} from './dispatcher.js';
export type { WebhookDispatcherOptions } from './dispatcher.js';
export { toWebhookEvent } from './event.js';
export type { WebhookEvent } from './event.js';
export { webhookRoutes } from './routes.js';
export type { WebhookRouteDeps } from './routes.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
} from './signature.js';
