/**
 * The phone follows how far down the view the agent scrolls, until the buyer scrolls on their
 * own: from then on the phone is theirs (the "looking around" bar offers the way back) until
 * they tap back or the agent moves to another place. Scroll positions travel as a fraction of
 * the view (`scroll-fraction.ts`), so a desktop list and the phone's narrower one line up.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

import { scrollViewTo } from '../app/scroll-fraction.js';
import type { AgentScrollSource } from './use-viewer-session.js';

/** Keys that scroll the page: pressing one is the buyer taking over, as a swipe is. */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

export interface ScrollFollow {
  /** The buyer scrolled on their own since the agent last scrolled this place. */
  ownScroll: boolean;
  /** Follow the agent's scroll again, starting where the agent is now. */
  backToAgent: () => void;
}

export function useScrollFollow(
  view: RefObject<HTMLElement>,
  onAgentScroll: AgentScrollSource | undefined,
  place: string,
): ScrollFollow {
  const [ownScroll, setOwnScroll] = useState(false);
  const own = useRef(false);
  /** The agent's latest position in this place; null until they scroll it. */
  const agent = useRef<number | null>(null);
  const frame = useRef(0);

  const follow = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      if (view.current && agent.current !== null && !own.current) {
        scrollViewTo(view.current, agent.current);
      }
    });
  }, [view]);

  // A new place starts afresh: at its top (LiveFrame), following the agent.
  useEffect(() => {
    agent.current = null;
    own.current = false;
    setOwnScroll(false);
  }, [place]);

  useEffect(() => {
    if (!onAgentScroll) return undefined;
    const off = onAgentScroll((fraction) => {
      agent.current = fraction;
      follow();
    });
    return () => {
      off();
      cancelAnimationFrame(frame.current);
    };
  }, [onAgentScroll, follow]);

  // Only the buyer's own gestures take over; the scrolling this hook does never does.
  useEffect(() => {
    const takeOver = () => {
      if (own.current || agent.current === null) return;
      own.current = true;
      setOwnScroll(true);
    };
    const onKey = (event: KeyboardEvent) => {
      if (SCROLL_KEYS.has(event.key)) takeOver();
    };
    window.addEventListener('touchmove', takeOver, { passive: true });
    window.addEventListener('wheel', takeOver, { passive: true });
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('touchmove', takeOver);
      window.removeEventListener('wheel', takeOver);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const backToAgent = useCallback(() => {
    own.current = false;
    setOwnScroll(false);
    follow();
  }, [follow]);

  return { ownScroll, backToAgent };
}
