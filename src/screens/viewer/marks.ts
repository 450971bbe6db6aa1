/**
 * Moments of the buyer's page that `bench/first-frame.ts` reads as performance marks: when the
 * agent's view was first drawn, and when the connection first went live. Each is set once.
 */
export type ViewerMark = 'rp-first-frame' | 'rp-live';

const marked = new Set<ViewerMark>();

export function markOnce(name: ViewerMark): void {
  if (marked.has(name) || typeof performance === 'undefined' || !performance.mark) return;
  marked.add(name);
  performance.mark(name);
}
