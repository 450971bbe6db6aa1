/**
 * Which screen the buyer sees. The presenter's status and the network's are kept apart: "the
 * agent dropped out", "your phone lost the connection", "the agent ended it" and "the link
 * expired" are different things for a buyer to know, so each has its own screen.
 */
import type { CloseReason, PresentationView } from '../../core/protocol.js';
import type { ConnectionStatus } from '../../sdk/connection.js';
import type { BootstrapErrorCode } from './bootstrap.js';

export type ViewerScreen =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'agentAway'; graceEndsAt: string | null }
  | { kind: 'offline' }
  | { kind: 'ended'; agentLeft: boolean }
  | { kind: 'expired' }
  | { kind: 'revoked' }
  | { kind: 'invalid' }
  | { kind: 'tooManyDevices' }
  /** The server could not check the link just now; the page loads itself again shortly. */
  | { kind: 'unavailable' }
  /** A fatal end a buyer cannot fix by waiting, such as an outdated page. */
  | { kind: 'failed'; reason: CloseReason };

export interface ViewerScreenInput {
  bootstrapError: BootstrapErrorCode | null;
  /** The reason of a fatal close from the SDK; null while the connection may still recover. */
  fatalReason: CloseReason | null;
  presentation: PresentationView | null;
  status: ConnectionStatus;
  /** Whether there is a frame to show: a view state and the inventory to draw it from. */
  hasFrame: boolean;
}

function endedScreen(presentation: PresentationView | null): ViewerScreen {
  switch (presentation?.endReason) {
    case 'expired':
      return { kind: 'expired' };
    case 'revoked':
      return { kind: 'revoked' };
    case 'grace_timeout':
      return { kind: 'ended', agentLeft: true };
    default:
      return { kind: 'ended', agentLeft: false };
  }
}

function fatalScreen(reason: CloseReason, presentation: PresentationView | null): ViewerScreen {
  switch (reason) {
    case 'expired':
      return { kind: 'expired' };
    case 'revoked':
      return { kind: 'revoked' };
    case 'ended':
      return endedScreen(presentation);
    case 'too_many_devices':
      return { kind: 'tooManyDevices' };
    // A buyer holds no account: any refusal of who they are means the link does not admit them.
    case 'invalid_link':
    case 'unauthorized':
    case 'forbidden':
    case 'logged_out':
      return { kind: 'invalid' };
    default:
      return { kind: 'failed', reason };
  }
}

const BOOTSTRAP_SCREENS: Record<BootstrapErrorCode, ViewerScreen['kind']> = {
  link_invalid: 'invalid',
  link_expired: 'expired',
  link_revoked: 'revoked',
  presentation_ended: 'ended',
  unavailable: 'unavailable',
  rate_limited: 'unavailable',
};

export function viewerScreen(input: ViewerScreenInput): ViewerScreen {
  const { bootstrapError, fatalReason, presentation, status, hasFrame } = input;

  if (fatalReason !== null) return fatalScreen(fatalReason, presentation);
  if (presentation?.status === 'ended') return endedScreen(presentation);

  if (bootstrapError !== null) {
    const kind = BOOTSTRAP_SCREENS[bootstrapError];
    if (kind === 'ended') return endedScreen(presentation);
    return { kind } as ViewerScreen;
  }

  const disconnected = status === 'reconnecting' || status === 'offline';
  if (!hasFrame) return disconnected ? { kind: 'offline' } : { kind: 'connecting' };
  if (disconnected) return { kind: 'offline' };

  if (presentation?.status === 'agent_away') {
    return { kind: 'agentAway', graceEndsAt: presentation.graceEndsAt };
  }
  return { kind: 'live' };
}
