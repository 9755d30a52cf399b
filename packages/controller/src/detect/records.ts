// Conversions between the engine's alerts (ms times), the store's records (ISO times, status)
// and the wire (protocol AlertSchema: the CONTRACT fields plus incident, evidence, status, count,
// lastAt). Every time on a record and on the wire is ISO-8601, the evidence's too.
import type { AlertKind, DetectedAlert } from "@microseg/insight";
import type { AlertWire, IncidentWire } from "@microseg/protocol";
import type { AlertRecord } from "@microseg/store";
import { evidenceFromJson, evidenceToJson } from "./evidence.js";

export function toRecord(a: DetectedAlert): AlertRecord {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    source: a.source,
    targets: a.targets,
    at: new Date(a.at).toISOString(),
    lastAt: new Date(a.lastAt).toISOString(),
    summary: a.summary,
    incident: a.incident,
    evidence: evidenceToJson(a.evidence),
    status: "open",
    count: a.count,
  };
}

/** A stored alert as the engine keeps it (restoring an engine after a restart). */
export function fromRecord(r: AlertRecord): DetectedAlert {
  return {
    id: r.id,
    kind: r.kind as AlertKind,
    severity: r.severity,
    source: r.source,
    targets: [...r.targets],
    at: Date.parse(r.at),
    lastAt: Date.parse(r.lastAt),
    summary: r.summary,
    incident: r.incident,
    evidence: evidenceFromJson(r.evidence),
    count: r.count,
  };
}

export function toWire(r: AlertRecord): AlertWire {
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    source: r.source,
    targets: [...r.targets],
    at: r.at,
    summary: r.summary,
    incident: r.incident,
    evidence: r.evidence,
    status: r.status,
    count: r.count,
    lastAt: r.lastAt,
  };
}

const RANK = ["low", "medium", "high", "critical"];

/** Alerts grouped by incident, newest lastAt first. */
export function toIncidents(alerts: readonly AlertRecord[]): IncidentWire[] {
  const byId = new Map<string, AlertRecord[]>();
  for (const a of alerts) {
    const list = byId.get(a.incident) ?? [];
    list.push(a);
    byId.set(a.incident, list);
  }
  const out: IncidentWire[] = [];
  for (const [id, list] of byId) {
    const severity = list.reduce(
      (s, a) => (RANK.indexOf(a.severity) > RANK.indexOf(s) ? a.severity : s),
      "low" as AlertRecord["severity"],
    );
    const sorted = [...list].sort((a, b) => (a.at < b.at ? -1 : 1));
    out.push({
      id,
      severity,
      sources: unique(sorted.map((a) => a.source)),
      targets: unique(sorted.flatMap((a) => a.targets)),
      kinds: unique(sorted.map((a) => a.kind)),
      at: sorted[0]?.at ?? "",
      lastAt:
        sorted
          .map((a) => a.lastAt)
          .sort()
          .at(-1) ?? "",
      status: list.some((a) => a.status === "open")
        ? "open"
        : list.some((a) => a.status === "acknowledged")
          ? "acknowledged"
          : "resolved",
      alerts: sorted.map((a) => a.id),
    });
  }
  return out.sort((a, b) => (a.lastAt > b.lastAt ? -1 : a.lastAt < b.lastAt ? 1 : 0));
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
