/**
 * Swiping the unit's gallery with a finger (or a mouse). Pointer events cover touch, pen and
 * mouse alike; the gallery's own buttons stay for those who cannot swipe.
 */
import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

/** Shorter moves are taps or a shaky thumb, not a swipe. */
const MIN_SWIPE_PX = 40;

/** The gallery element drawn by the shared unit card. */
const GALLERY_SELECTOR = '.rp-gallery';

export function useGallerySwipe(
  container: RefObject<HTMLElement>,
  onSwipe: ((direction: 1 | -1) => void) | null,
): void {
  useEffect(() => {
    const root = container.current;
    if (!root || !onSwipe) return undefined;

    let start: { x: number; y: number; id: number } | null = null;

    const onDown = (event: PointerEvent) => {
      const target = event.target as Element | null;
      if (!event.isPrimary || !target?.closest(GALLERY_SELECTOR)) return;
      start = { x: event.clientX, y: event.clientY, id: event.pointerId };
    };

    const onUp = (event: PointerEvent) => {
      if (!start || event.pointerId !== start.id) return;
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      start = null;

      // A mostly vertical move is the page scrolling, not a swipe through the pictures.
      if (Math.abs(dx) < MIN_SWIPE_PX || Math.abs(dx) < Math.abs(dy) * 1.5) return;
      onSwipe(dx < 0 ? 1 : -1);
    };

    const onCancel = () => {
      start = null;
    };

    root.addEventListener('pointerdown', onDown);
    root.addEventListener('pointerup', onUp);
    root.addEventListener('pointercancel', onCancel);
    return () => {
      root.removeEventListener('pointerdown', onDown);
      root.removeEventListener('pointerup', onUp);
      root.removeEventListener('pointercancel', onCancel);
    };
  }, [container, onSwipe]);
}
