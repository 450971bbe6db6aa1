/**
 * The session record: what happened in a presentation, from its stored events, in the shape an
 * agent reads after the call and a CRM imports (JSON or CSV).
 */
import type { EventRow } from '../storage/store.js';

export interface RecordEntry {
  at: string;
  kind: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

export interface SessionRecord {
  presentationId: string;
  timeline: RecordEntry[];
  /** Each buyer device: when it joined and left, each time. */
  devices: { deviceId: string; device: string; joinedAt: string; leftAt: string | null }[];
  /** What the buyer was shown and for how long, in order of first showing. */
  shown: { unitId: string; firstShownAt: string; ms: number }[];
  reactions: { at: string; kind: string; unitId: string | null; deviceId: string }[];
  /** Periods during which a buyer's tab was hidden. */
  hidden: { deviceId: string; from: string; to: string | null }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function detailOf(row: EventRow): Record<string, unknown> | null {
  if (row.detailJson === null) return null;
  try {
    const value = JSON.parse(row.detailJson) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Builds the record from events in time order; `endAt` closes what is still open. */
export function buildRecord(
  pid: string,
  events: readonly EventRow[],
  endAt: number,
): SessionRecord {
  const record: SessionRecord = {
    presentationId: pid,
    timeline: [],
    devices: [],
    shown: [],
    reactions: [],
    hidden: [],
  };
  const openDevices = new Map<string, SessionRecord['devices'][number]>();
  const openHidden = new Map<string, SessionRecord['hidden'][number]>();
  const shownMs = new Map<string, { firstShownAt: number; ms: number }>();
  let current: { unitId: string; since: number } | null = null;

  const closeShown = (at: number) => {
    if (!current) return;
    const entry = shownMs.get(current.unitId);
    if (entry) entry.ms += Math.max(0, at - current.since);
    current = null;
  };

  for (const event of events) {
    const detail = detailOf(event);
    record.timeline.push({ at: iso(event.at), kind: event.kind, reason: event.reason, detail });
    const deviceId = typeof detail?.deviceId === 'string' ? detail.deviceId : '';

    switch (event.kind) {
      case 'viewer_joined': {
        const entry = {
          deviceId,
          device: String(detail?.device ?? ''),
          joinedAt: iso(event.at),
          leftAt: null,
        };
        record.devices.push(entry);
        openDevices.set(deviceId, entry);
        break;
      }
      case 'viewer_left': {
        const entry = openDevices.get(deviceId);
        if (entry) entry.leftAt = iso(event.at);
        openDevices.delete(deviceId);
        break;
      }
      case 'viewer_hidden': {
        const period = { deviceId, from: iso(event.at), to: null };
        record.hidden.push(period);
        openHidden.set(deviceId, period);
        break;
      }
      case 'viewer_visible': {
        const period = openHidden.get(deviceId);
        if (period) period.to = iso(event.at);
        openHidden.delete(deviceId);
        break;
      }
      case 'reaction':
        record.reactions.push({
          at: iso(event.at),
          kind: String(detail?.kind ?? ''),
          unitId: typeof detail?.unitId === 'string' ? detail.unitId : null,
          deviceId,
        });
        break;
      case 'shown': {
        closeShown(event.at);
        const unitId = typeof detail?.unitId === 'string' ? detail.unitId : null;
        // A unit counts as shown while the agent has it open in the unit card.
        if (unitId && detail?.view === 'unit') {
          if (!shownMs.has(unitId)) shownMs.set(unitId, { firstShownAt: event.at, ms: 0 });
          current = { unitId, since: event.at };
        }
        break;
      }
      case 'ended':
        closeShown(event.at);
        break;
    }
  }
  closeShown(endAt);

  record.shown = [...shownMs.entries()]
    .sort((a, b) => a[1].firstShownAt - b[1].firstShownAt)
    .map(([unitId, v]) => ({ unitId, firstShownAt: iso(v.firstShownAt), ms: v.ms }));
  return record;
}

/** One CSV row per timeline entry, RFC 4180 quoting, for spreadsheet and CRM imports. */
export function recordCsv(record: SessionRecord): string {
  const quote = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    // A leading formula character would run as a formula in a spreadsheet: neutralise it.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = [['at', 'kind', 'reason', 'device_id', 'device', 'unit_id', 'view', 'detail']];
  for (const entry of record.timeline) {
    const d = entry.detail ?? {};
    rows.push([
      entry.at,
      entry.kind,
      entry.reason ?? '',
      String(d.deviceId ?? ''),
      String(d.device ?? ''),
      String(d.unitId ?? ''),
      String(d.view ?? ''),
      entry.detail ? JSON.stringify(entry.detail) : '',
    ]);
  }
  return `${rows.map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
}
