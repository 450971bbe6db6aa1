/**
 * Remembers, per browser, which transport last worked, so a network that blocks WebSocket does
 * not cost every page load the seconds of finding out again. The memory expires: networks
 * change (the phone leaves the office Wi-Fi).
 */
import type { TransportKind } from './channel.js';

export const TRANSPORT_MEMORY_KEY = 'rp.transport';

const KINDS: readonly string[] = ['ws', 'sse', 'poll'];

export function rememberedTransport(now = Date.now()): TransportKind | null {
  try {
    const raw = globalThis.localStorage?.getItem(TRANSPORT_MEMORY_KEY);
    if (!raw) return null;
    const stored = JSON.parse(raw) as { kind?: unknown; until?: unknown };
    if (typeof stored.kind !== 'string' || !KINDS.includes(stored.kind)) return null;
    if (typeof stored.until !== 'number' || stored.until <= now) return null;
    return stored.kind as TransportKind;
  } catch {
    // Storage disabled (private mode) or a value someone else wrote: nothing remembered.
    return null;
  }
}

export function rememberTransport(kind: TransportKind, forMs: number, now = Date.now()): void {
  try {
    globalThis.localStorage?.setItem(
      TRANSPORT_MEMORY_KEY,
      JSON.stringify({ kind, until: now + forMs }),
    );
  } catch {
    // Storage full or disabled: the next page load finds the transport again.
  }
}
