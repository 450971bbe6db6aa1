/**
 * Moments of the buyer's page that `bench/first-frame.ts` reads as performance marks: when the
 * agent's view was first drawn, when the connection first went live, and when the whole
 * inventory came in after a first frame drawn from a cut of it. Each is set once.
 */
export type ViewerMark = 'rp-first-frame' | 'rp-live' | 'rp-inventory';

const marked = new Set<ViewerMark>();

export function markOnce(name: ViewerMark): void {
  if (marked.has(name) || typeof performance === 'undefined' || !performance.mark) return;
  marked.add(name);
  performance.mark(name);
}
