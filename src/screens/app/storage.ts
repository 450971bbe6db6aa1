/**
 * Web storage for both screens. Storage can be missing or throw (a private window, a full quota,
 * storage switched off), and none of what the screens keep there is worth breaking a page for:
 * every access is guarded, and a failed read is the same as an empty one.
 */

export type StorageArea = 'local' | 'session';

function areaOf(area: StorageArea): Storage | null {
  try {
    return area === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

export function readStored(area: StorageArea, key: string): string | null {
  try {
    return areaOf(area)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function writeStored(area: StorageArea, key: string, value: string): void {
  try {
    areaOf(area)?.setItem(key, value);
  } catch {
    // A full or forbidden storage only costs the convenience the value was kept for.
  }
}

export function removeStored(area: StorageArea, key: string): void {
  try {
    areaOf(area)?.removeItem(key);
  } catch {
    // Nothing to undo: the value is unreachable either way.
  }
}

/** Reads JSON kept by this app; anything unparsable or of the wrong shape reads as null. */
export function readStoredJson<T>(
  area: StorageArea,
  key: string,
  isShaped: (value: unknown) => value is T,
): T | null {
  const text = readStored(area, key);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isShaped(value) ? value : null;
  } catch {
    return null;
  }
}

export function writeStoredJson(area: StorageArea, key: string, value: unknown): void {
  writeStored(area, key, JSON.stringify(value));
}
