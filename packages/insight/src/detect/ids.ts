// Stable, URL-safe ids for alerts and incidents: the same (kind, source, first time) always gives
// the same id, so a restarted engine that re-raises an alert updates the stored one.

/** 32-bit FNV-1a, hex. */
function fnv32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export function alertId(kind: string, source: string, at: number): string {
  return `al-${at.toString(36)}-${fnv32(`${kind}\u0000${source}`)}`;
}

export function incidentId(source: string, at: number): string {
  return `in-${at.toString(36)}-${fnv32(source)}`;
}
