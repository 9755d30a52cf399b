// Stable, URL-safe ids for alerts and incidents: `al-<t>-<fnv(kind, source)>`, `in-<t>-<fnv(source)>`
// where t (base 36) is the raise's time rounded down to a grid (idGridMs: the shorter of the
// de-dup and incident windows). So the id names the episode, not the contact that happened to
// open it: a detector that took over mid-scan, or missed the first contacts, names the same scan
// alike, and its raises update the stored alert. An episode that ends (nothing for a de-dup
// window) and starts again always falls in a later grid cell, so it gets a new id.
//
// Ids made before the grid (t the exact first time) are the same shape; a restored alert keeps
// the id it was stored with (AlertBook.restore), so those go on being updated under it.
// Enforcement-gap alerts keep the exact time (grid 0): a gap that clears and comes back within
// minutes is a new alert.
import type { DetectionOptions } from "./options.js";

/** 32-bit FNV-1a, hex. */
function fnv32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The grid of id times: an episode is at least this long apart from the next one. */
export function idGridMs(o: Pick<DetectionOptions, "dedupWindowMs" | "incidentWindowMs">): number {
  return Math.min(o.dedupWindowMs, o.incidentWindowMs);
}

function cell(at: number, gridMs: number): number {
  return gridMs > 0 ? Math.floor(at / gridMs) * gridMs : at;
}

export function alertId(kind: string, source: string, at: number, gridMs = 0): string {
  return `al-${cell(at, gridMs).toString(36)}-${fnv32(`${kind}\u0000${source}`)}`;
}

export function incidentId(source: string, at: number, gridMs = 0): string {
  return `in-${cell(at, gridMs).toString(36)}-${fnv32(source)}`;
}
