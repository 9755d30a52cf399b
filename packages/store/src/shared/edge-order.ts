// The order every adapter answers flow edges in, so answers compare equal across adapters.

import type { StoredEdge } from "../flow-records.js";

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Newest lastSeen first, then by from, to, port and verdict (both adapters answer this order). */
export function newestFirst(a: StoredEdge, b: StoredEdge): number {
  return (
    b.lastSeen - a.lastSeen ||
    text(a.from, b.from) ||
    text(a.to, b.to) ||
    text(a.port, b.port) ||
    text(a.verdict, b.verdict)
  );
}
