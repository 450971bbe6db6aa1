/**
 * The body of a webhook: one activity, its id (the idempotency key) and when it happened. The
 * activity's fields go under `data`, unchanged, so docs/webhooks.md and `Activity` agree.
 */
import type { Activity, ActivityType } from '../presentations/activity.js';

/** The activity whose `type` is `K` (`buyer.joined` and `buyer.left` share one shape). */
type ActivityOf<K extends ActivityType> = Activity extends infer A
  ? A extends { type: infer T }
    ? K extends T
      ? A
      : never
    : never
  : never;

export type WebhookEvent = {
  [K in ActivityType]: {
    /** Unique per event and the same on every try: deduplicate on it. */
    id: string;
    type: K;
    /** When the activity happened (ISO 8601), not when it was sent. */
    createdAt: string;
    data: Omit<ActivityOf<K>, 'type'>;
  };
}[ActivityType];

export function toWebhookEvent(id: string, activity: Activity, at: number): WebhookEvent {
  const { type, ...data } = activity;
  return { id, type, createdAt: new Date(at).toISOString(), data } as WebhookEvent;
}
