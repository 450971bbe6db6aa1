import { useEffect, useRef, useState } from 'preact/hooks';

import type { PublicStatus, PublicUnit } from '../../core/inventory.js';

interface Seen {
  unitId: string;
  status: PublicStatus;
}

/**
 * The new status of the unit on screen, when it changed while the buyer was looking at it (it
 * was just reserved, or sold); null otherwise. A unit that comes on screen already reserved is
 * no news: its badge says so, and the buyer is not told "just now" about an old reservation.
 */
export function useStatusNews(unit: PublicUnit | null): PublicStatus | null {
  const seen = useRef<Seen | null>(null);
  const [news, setNews] = useState<Seen | null>(null);
  const unitId = unit?.id ?? null;
  const status = unit?.status ?? null;

  useEffect(() => {
    const before = seen.current;
    seen.current = unitId !== null && status !== null ? { unitId, status } : null;
    if (unitId === null || status === null || before?.unitId !== unitId) {
      setNews(null);
      return;
    }
    if (before.status !== status) setNews({ unitId, status });
  }, [unitId, status]);

  return news !== null && news.unitId === unitId ? news.status : null;
}
