// De-duplication and grouping. One alert per (kind, source) while evidence keeps arriving: a new
// raise within dedupWindowMs of the last updates that alert (count grows, lastAt moves, targets
// and evidence are merged, severity only rises). Alerts of one source within incidentWindowMs
// share an incident; so does a source that an earlier lateral movement reached (A->B then B->C
// is one incident, its chain recorded). Every map here expires and is swept: state is bounded.
// A restarted controller puts its stored alerts back with restore(), so the same (kind, source)
// goes on updating the same alert.

import { alertId, idGridMs, incidentId } from "./ids.js";
import type { DetectionOptions } from "./options.js";
import {
  type AlertEvidence,
  type AlertKind,
  type DetectedAlert,
  type EvidenceFlow,
  maxSeverity,
  type Severity,
} from "./types.js";

/** Listed in the alert (`targets`) and its evidence (`ports`); counted up to the TRACKED caps. */
export const MAX_TARGETS = 100;
export const EVIDENCE_FLOWS = 20;
export const EVIDENCE_PORTS = 200;
export const TRACKED_TARGETS = 10_000;
export const TRACKED_PORTS = 70_000;

/** One raise of a detector. */
export interface Raise {
  readonly kind: AlertKind;
  readonly source: string;
  readonly severity: Severity;
  readonly at: number;
  readonly target?: string;
  readonly port?: string;
  /** What the window held when a threshold was crossed: listed before `target` and `port`. */
  readonly seedTargets?: readonly string[];
  readonly seedPorts?: readonly string[];
  readonly flow?: EvidenceFlow;
  readonly gap?: string;
  readonly detail?: Readonly<Record<string, string | number>>;
  /** Lateral movement and spread: the target is now reached by this incident (for chains). */
  readonly reaches?: boolean;
  /** How long the alert stays open without new evidence (default dedupWindowMs): slow scans. */
  readonly holdMs?: number;
  readonly summary: (a: OpenAlert) => string;
}

/** The mutable alert behind a DetectedAlert snapshot. */
export interface OpenAlert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly source: string;
  readonly at: number;
  readonly incident: string;
  lastAt: number;
  /** Open (de-duplicating) while lastAt is at most this long ago. */
  holdMs: number;
  severity: Severity;
  count: number;
  summary: string;
  /** Distinct targets and ports seen (for counts; capped at TRACKED_*). */
  readonly targets: Set<string>;
  readonly ports: Set<string>;
  /** The first MAX_TARGETS / EVIDENCE_PORTS of them, in order: what the alert lists. */
  readonly targetList: string[];
  readonly portList: string[];
  flows: EvidenceFlow[];
  chain?: readonly string[];
  gap?: string;
  detail?: Readonly<Record<string, string | number>>;
}

interface IncidentMark {
  readonly id: string;
  lastAt: number;
}

interface Reach {
  readonly incident: string;
  readonly chain: readonly string[];
  readonly at: number;
}

export class AlertBook {
  /** kind -> source -> alert (no key string is built per lookup: the detectors ask often). */
  private readonly open = new Map<AlertKind, Map<string, OpenAlert>>();
  private readonly incidents = new Map<string, IncidentMark>();
  private readonly reached = new Map<string, Reach>();

  constructor(private readonly options: DetectionOptions) {}

  /** Is an alert of this kind open for the source (raised within the de-dup window)? */
  isOpen(kind: AlertKind, source: string, now: number): boolean {
    return this.openAlert(kind, source, now) !== undefined;
  }

  /** The open alert of this kind for the source (read only), if there is one. */
  openAlert(kind: AlertKind, source: string, now: number): Readonly<OpenAlert> | undefined {
    const a = this.open.get(kind)?.get(source);
    return a !== undefined && now - a.lastAt <= a.holdMs ? a : undefined;
  }

  raise(r: Raise): DetectedAlert {
    const a = this.openFor(r);
    a.lastAt = Math.max(a.lastAt, r.at);
    a.severity = maxSeverity(a.severity, r.severity);
    for (const t of r.seedTargets ?? []) {
      track(a.targets, a.targetList, t, TRACKED_TARGETS, MAX_TARGETS);
    }
    for (const p of r.seedPorts ?? []) track(a.ports, a.portList, p, TRACKED_PORTS, EVIDENCE_PORTS);
    if (r.target !== undefined)
      track(a.targets, a.targetList, r.target, TRACKED_TARGETS, MAX_TARGETS);
    if (r.port !== undefined) track(a.ports, a.portList, r.port, TRACKED_PORTS, EVIDENCE_PORTS);
    if (r.flow !== undefined) {
      a.flows.push(r.flow);
      if (a.flows.length > EVIDENCE_FLOWS) a.flows = a.flows.slice(-EVIDENCE_FLOWS);
    }
    if (r.gap !== undefined) a.gap = r.gap;
    if (r.detail !== undefined) a.detail = r.detail;
    if (r.reaches === true && r.target !== undefined) this.reach(a, r.target, r.at);
    a.summary = r.summary(a);
    this.markIncident(a.source, a.incident, r.at);
    return snapshot(a);
  }

  /**
   * Starts over from stored alerts (newest evidence last wins per kind and source): each one
   * that is still open at `now` (within dedupWindowMs of its lastAt) is updated by the next
   * raise of its kind and source, its incident goes on, and the targets its lateral movement
   * or spread got through to are reached again. Counts go on from the stored `evidence.seen`.
   */
  restore(alerts: readonly DetectedAlert[], now: number): void {
    this.open.clear();
    this.incidents.clear();
    this.reached.clear();
    const sorted = [...alerts].sort((a, b) => a.lastAt - b.lastAt);
    for (const stored of sorted) {
      const holdMs = heldFor(stored, this.options.dedupWindowMs);
      if (now - stored.lastAt > holdMs) continue;
      const a = reopen(stored, holdMs);
      let bySource = this.open.get(a.kind);
      if (bySource === undefined) {
        bySource = new Map();
        this.open.set(a.kind, bySource);
      }
      bySource.set(a.source, a);
      this.markIncident(a.source, a.incident, a.lastAt);
      if (a.kind !== "lateral-movement" && a.kind !== "ransomware-spread") continue;
      for (const f of a.flows) if (f.verdict !== "blocked") this.reach(a, f.to, f.at);
    }
  }

  /** Ends the open alert of this kind and source: the next raise opens a new one (new id). */
  close(kind: AlertKind, source: string): void {
    this.open.get(kind)?.delete(source);
  }

  /** Drops alerts, incidents and reaches older than their windows. */
  sweep(now: number): void {
    const { incidentWindowMs } = this.options;
    for (const bySource of this.open.values()) {
      for (const [k, a] of bySource) if (now - a.lastAt > a.holdMs) bySource.delete(k);
    }
    for (const [k, m] of this.incidents)
      if (now - m.lastAt > incidentWindowMs) this.incidents.delete(k);
    for (const [k, r] of this.reached) if (now - r.at > incidentWindowMs) this.reached.delete(k);
  }

  size(): number {
    let open = 0;
    for (const bySource of this.open.values()) open += bySource.size;
    return open + this.incidents.size + this.reached.size;
  }

  private openFor(r: Raise): OpenAlert {
    let bySource = this.open.get(r.kind);
    if (bySource === undefined) {
      bySource = new Map();
      this.open.set(r.kind, bySource);
    }
    const holdMs = r.holdMs ?? this.options.dedupWindowMs;
    const existing = bySource.get(r.source);
    if (existing !== undefined && r.at - existing.lastAt <= existing.holdMs) {
      existing.count++;
      existing.holdMs = Math.max(existing.holdMs, holdMs);
      return existing;
    }
    const reach = this.reachOf(r.source, r.at);
    // Gap alerts come from the detector's own clock, not from flows (ids.ts).
    const grid = r.kind === "enforcement-gap" ? 0 : idGridMs(this.options);
    const a: OpenAlert = {
      id: alertId(r.kind, r.source, r.at, grid),
      kind: r.kind,
      source: r.source,
      at: r.at,
      lastAt: r.at,
      holdMs,
      incident:
        this.incidentOf(r.source, r.at) ?? reach?.incident ?? incidentId(r.source, r.at, grid),
      severity: r.severity,
      count: 1,
      summary: "",
      targets: new Set(),
      ports: new Set(),
      targetList: [],
      portList: [],
      flows: [],
      ...(reach === undefined ? {} : { chain: reach.chain }),
    };
    bySource.set(r.source, a);
    return a;
  }

  private incidentOf(source: string, now: number): string | undefined {
    const m = this.incidents.get(source);
    return m !== undefined && now - m.lastAt <= this.options.incidentWindowMs ? m.id : undefined;
  }

  private reachOf(source: string, now: number): Reach | undefined {
    const r = this.reached.get(source);
    return r !== undefined && now - r.at <= this.options.incidentWindowMs ? r : undefined;
  }

  private markIncident(source: string, id: string, at: number) {
    const m = this.incidents.get(source);
    if (m !== undefined && m.id === id) m.lastAt = Math.max(m.lastAt, at);
    else this.incidents.set(source, { id, lastAt: at });
  }

  /** The target is reached: its own later alerts join this incident and extend the chain. */
  private reach(a: OpenAlert, target: string, at: number) {
    if (this.reached.has(target) || target === a.source) return;
    const chain = [...(a.chain ?? [a.source]), target];
    this.reached.set(target, { incident: a.incident, chain, at });
  }
}

function track(seen: Set<string>, list: string[], v: string, maxSeen: number, maxList: number) {
  if (seen.has(v) || seen.size >= maxSeen) return;
  seen.add(v);
  if (list.length < maxList) list.push(v);
}

/** How long a stored alert stays open: a slow scan's own window (its evidence says), else dedup. */
function heldFor(d: DetectedAlert, dedupWindowMs: number): number {
  const slow = d.evidence.detail?.slowScanWindowMs;
  return typeof slow === "number" ? Math.max(slow, dedupWindowMs) : dedupWindowMs;
}

/** An open alert again from its snapshot (restore). */
function reopen(d: DetectedAlert, holdMs: number): OpenAlert {
  const e = d.evidence;
  const ports = e.ports ?? [];
  return {
    id: d.id,
    kind: d.kind,
    source: d.source,
    at: d.at,
    lastAt: d.lastAt,
    incident: d.incident,
    severity: d.severity,
    count: d.count,
    summary: d.summary,
    targets: counted(d.targets, e.seen?.targets ?? 0, TRACKED_TARGETS),
    ports: counted(ports, e.seen?.ports ?? 0, TRACKED_PORTS),
    targetList: d.targets.slice(0, MAX_TARGETS),
    portList: ports.slice(0, EVIDENCE_PORTS),
    flows: e.flows.slice(-EVIDENCE_FLOWS),
    holdMs,
    ...(e.chain !== undefined ? { chain: e.chain } : {}),
    ...(e.gap !== undefined ? { gap: e.gap } : {}),
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
  };
}

/**
 * The listed values, then stand-ins up to `seen` for the ones seen but never listed (only the
 * first MAX_TARGETS / EVIDENCE_PORTS are): counts in summaries go on where they were. A
 * stand-in starts with NUL, so it never equals a real name, and is never listed (the list is
 * full whenever there are stand-ins).
 */
function counted(listed: readonly string[], seen: number, cap: number): Set<string> {
  const set = new Set(listed);
  for (let i = 0; set.size < Math.min(seen, cap); i++) {
    set.add(`\u0000seen-${i}`);
  }
  return set;
}

export function snapshot(a: OpenAlert): DetectedAlert {
  const unlisted = a.targets.size > a.targetList.length || a.ports.size > a.portList.length;
  const evidence: AlertEvidence = {
    flows: [...a.flows],
    ...(a.portList.length > 0 ? { ports: [...a.portList] } : {}),
    ...(unlisted ? { seen: { targets: a.targets.size, ports: a.ports.size } } : {}),
    ...(a.chain !== undefined ? { chain: a.chain } : {}),
    ...(a.gap !== undefined ? { gap: a.gap } : {}),
    ...(a.detail !== undefined ? { detail: a.detail } : {}),
  };
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    source: a.source,
    targets: [...a.targetList],
    at: a.at,
    lastAt: a.lastAt,
    summary: a.summary,
    incident: a.incident,
    evidence,
    count: a.count,
  };
}
