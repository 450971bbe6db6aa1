/**
 * What happened in a presentation, as the host system hears of it (webhooks) and as the
 * session record keeps it. Emitted by the service and the realtime side; consumed by sinks.
 */
import type { DeviceKind, EndReason, ReactionKind, TransportKind } from '../../core/protocol.js';

export type Activity =
  | {
      type: 'presentation.created';
      presentationId: string;
      agentId: string;
      buyer: { id: string; name: string; contact: string };
      expiresAt: string;
    }
  | {
      type: 'buyer.joined' | 'buyer.left';
      presentationId: string;
      deviceId: string;
      device: DeviceKind;
      transport: TransportKind;
    }
  | {
      type: 'reaction';
      presentationId: string;
      kind: ReactionKind;
      unitId: string | null;
      deviceId: string;
    }
  | { type: 'presentation.ended'; presentationId: string; reason: EndReason }
  | { type: 'link.revoked'; presentationId: string; reason: 'revoked' | 'reissued' }
  | {
      type: 'presentation.handed_off';
      presentationId: string;
      fromAgentId: string;
      toAgentId: string;
    };

export type ActivityType = Activity['type'];

/** Receives every activity; must not throw and must not block (queue and return). */
export interface ActivitySink {
  record(activity: Activity, at: number): void;
}

/** Fans one activity out to several sinks. */
export class ActivityFanOut implements ActivitySink {
  readonly #sinks: ActivitySink[] = [];

  add(sink: ActivitySink): void {
    this.#sinks.push(sink);
  }

  record(activity: Activity, at: number): void {
    for (const sink of this.#sinks) sink.record(activity, at);
  }
}
