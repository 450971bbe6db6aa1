/**
 * The buyer's link, kept for this tab only. The server stores a hash of the token, never the
 * token, so the link exists in the creation answer and nowhere else: session storage keeps it
 * through a reload of this tab, and a lost one is replaced by re-issuing.
 */
import { readStoredJson, removeStored, writeStoredJson } from '../app/storage.js';
import type { IssuedLink } from './api-types.js';

const linkKey = (presentationId: string) => `rp.link.${presentationId}`;

function isLink(value: unknown): value is IssuedLink {
  const link = value as IssuedLink | null;
  return typeof link?.url === 'string' && typeof link.expiresAt === 'string';
}

export function loadLink(presentationId: string): IssuedLink | null {
  return readStoredJson('session', linkKey(presentationId), isLink);
}

export function saveLink(presentationId: string, link: IssuedLink): void {
  writeStoredJson('session', linkKey(presentationId), link);
}

export function forgetLink(presentationId: string): void {
  removeStored('session', linkKey(presentationId));
}

const PRESENTING_KEY = 'rp.presenting';

/** The presentation this tab presents, so a reload can pick it up within the grace period. */
export function loadPresentingId(): string | null {
  return readStoredJson('session', PRESENTING_KEY, (v): v is string => typeof v === 'string');
}

export function savePresentingId(presentationId: string | null): void {
  if (presentationId === null) removeStored('session', PRESENTING_KEY);
  else writeStoredJson('session', PRESENTING_KEY, presentationId);
}
