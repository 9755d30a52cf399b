// What a starting detection service reads back from the store, so a restart neither loses nor
// repeats detection state:
//   - recent flow edges, replayed to rebuild the contact windows (the engine's state is not
//     stored: the flows it was built from are). Only blocked and would-block edges: every
//     allowed edge is in the baseline after a restart, so it is never suspicious then.
//   - the alerts that are still open or acknowledged, to restore the engine's book and to send
//     what had not been sent when the controller stopped.
import type { FlowObservation } from "@microseg/insight";
import type { AlertRecord, EdgeVerdict, Store, StoredEdge } from "@microseg/store";

/** Edges replayed at most (newest first); far above what a detection window holds. */
export const MAX_REPLAYED = 200_000;
/** Alerts read back at most per status (newest first); the book tracks at most maxSources. */
export const MAX_RESTORED = 50_000;

/** Blocked and would-block edges seen in [now - windowMs, now], oldest last time first. */
export async function recentObservations(
  store: Pick<Store, "flows">,
  now: number,
  windowMs: number,
): Promise<FlowObservation[]> {
  const since = now - windowMs;
  const read = (verdict: EdgeVerdict) => store.flows.edges({ since, verdict, limit: MAX_REPLAYED });
  const edges = (await Promise.all([read("blocked"), read("would-block")])).flat();
  return edges
    .filter((e) => e.lastSeen >= since)
    .sort((a, b) => a.lastSeen - b.lastSeen)
    .slice(-MAX_REPLAYED)
    .map(observation);
}

/**
 * One observation per edge at its last time: the detectors count distinct (host, port) contacts
 * inside their windows, which an edge's last time keeps; how often it was seen is not needed.
 */
function observation(e: StoredEdge): FlowObservation {
  return {
    from: { name: e.from, kind: e.fromKind },
    to: { name: e.to, kind: e.toKind },
    port: e.port,
    verdict: e.verdict,
    count: e.count,
    packets: e.packets,
    bytes: e.bytes,
    first: e.firstSeen,
    last: e.lastSeen,
    reporter: e.toKind === "workload" ? e.to : e.from,
    side: "destination",
    ...(e.rule !== null && { rule: e.rule }),
  };
}

/** Open and acknowledged alerts with new evidence since `since` (ms), newest first. */
export async function unresolvedAlerts(
  store: Pick<Store, "alerts">,
  since: number,
): Promise<AlertRecord[]> {
  const iso = new Date(since).toISOString();
  const [open, acknowledged] = await Promise.all([
    store.alerts.list({ status: "open", since: iso, limit: MAX_RESTORED }),
    store.alerts.list({ status: "acknowledged", since: iso, limit: MAX_RESTORED }),
  ]);
  return [...open, ...acknowledged].sort((a, b) => (a.lastAt < b.lastAt ? 1 : -1));
}
