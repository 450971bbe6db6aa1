/**
 * How far down a view the reader is, as a fraction of how far it can go: 0 with the view's top
 * at the top of the window, 1 with its bottom at the bottom. The agent's console and the
 * buyer's phone lay the same view out at different heights, so the scroll position travels as
 * this fraction of the view, never in pixels, and never counting what surrounds the view (the
 * console's live bar and filters, the phone's header).
 */
export function viewScrollFraction(view: HTMLElement): number {
  const top = view.getBoundingClientRect().top + window.scrollY;
  const range = view.offsetHeight - window.innerHeight;
  if (range <= 0) return 0;
  return Math.min(1, Math.max(0, (window.scrollY - top) / range));
}

/** Scrolls the window so that `view` stands at `fraction` (see `viewScrollFraction`). */
export function scrollViewTo(view: HTMLElement, fraction: number): void {
  const top = view.getBoundingClientRect().top + window.scrollY;
  const range = Math.max(0, view.offsetHeight - window.innerHeight);
  // Above the view's top only when the view fits the window: then the page stays where it is.
  if (range === 0) return;
  window.scrollTo({ top: Math.round(top + fraction * range), behavior: 'instant' });
}
