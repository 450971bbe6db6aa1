/**
 * The sentence that goes with each way a connection can end, in the `closing` frame. The HTTP
 * transports read it from here; the wording matches the WebSocket transport's, so a buyer sees
 * the same words whatever carried the end.
 */
import { ERRORS } from '../../core/errors.js';
import type { CloseReason } from '../../core/protocol.js';

const CLOSE_MESSAGES: Record<CloseReason, string> = {
  expired: ERRORS.link_expired.message,
  revoked: ERRORS.link_revoked.message,
  ended: ERRORS.presentation_ended.message,
  invalid_link: ERRORS.link_invalid.message,
  unauthorized: ERRORS.unauthorized.message,
  forbidden: ERRORS.forbidden.message,
  too_many_devices: ERRORS.too_many_devices.message,
  unsupported_version: ERRORS.unsupported_version.message,
  protocol_error: ERRORS.invalid_message.message,
  logged_out: 'The agent signed out.',
  handed_off: 'The presentation was handed to another agent.',
  shutting_down: ERRORS.shutting_down.message,
  heartbeat_timeout: 'No message arrived within the heartbeat window; reconnect.',
  lagging: 'The connection fell too far behind; reconnect for a fresh copy.',
  rate_limited: ERRORS.rate_limited.message,
  unavailable: ERRORS.unavailable.message,
  credentials_expired: 'The presenter token has expired; reconnect with a fresh one.',
};

export function closeMessage(reason: CloseReason): string {
  return CLOSE_MESSAGES[reason];
}
