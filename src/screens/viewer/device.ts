/**
 * The kind of device the agent is told about. The pointer and the screen's short side decide,
 * not the user agent: an iPad asks for the desktop site and would otherwise count as a computer.
 */
import type { DeviceKind } from '../../core/protocol.js';

export function deviceKind(): DeviceKind {
  const coarse = window.matchMedia?.('(pointer: coarse)').matches ?? false;
  if (!coarse) return 'desktop';

  const shortSide = Math.min(window.screen.width, window.screen.height);
  return shortSide < 600 ? 'phone' : 'tablet';
}
