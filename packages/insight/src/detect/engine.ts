// The detection engine: fed batches of resolved flow observations (and, on a timer, agent
// states), it answers the alerts that are new or got new evidence. Pure: the clock is passed in,
// the estate is asked through a DetectionView, and all state lives in bounded, expiring windows.
//
//   observation ─┬─ decoy? ─────────────────────────────> decoy alert (at once)
//                └─ suspicious? blocked / would-block; a failed contact (refused, unanswered) to
//                   an edge that never answered before; an answered one neither known nor allowed
//                     ├─ failed: SlowScans (per source, slowScanWindowMs) ──> scan ("slowly")
//                     └─ SourceContacts (per source, windowed)
//                          ├─ ports on one host >= scanPorts ──> scan (vertical)
//                          ├─ hosts on one port >= scanHosts ──> scan (horizontal)
//                          ├─ spread-service hosts >= spreadHosts ──> ransomware-spread
//                          └─ risk-weighted new edges >= lateralScore ──> lateral-movement
//                             (edges that reached a service; failed attempts on high-risk ones)
//   A declared scanner (view.isScanner) raises only authorised-scan, on the scan thresholds.
//   Every raise goes through the AlertBook: one alert per (kind, source), incidents shared.

import type { FlowObservation } from "../flow.js";
import { failedContact } from "../outcome.js";
import { AlertBook, type OpenAlert } from "./alert-book.js";
import { SourceContacts } from "./contacts.js";
import { evidence } from "./evidence.js";
import { gapOf } from "./gap.js";
import { DEFAULT_DETECTION_OPTIONS, type DetectionOptions } from "./options.js";
import { countOf, ScanDetector } from "./scans.js";
import { describePort, type Risk, serviceOf } from "./services.js";
import { SweepLru } from "./sweep-lru.js";
import {
  type AgentGapState,
  type DetectedAlert,
  type DetectionView,
  type EvidenceFlow,
  type Severity,
  SUSPECT_KINDS,
} from "./types.js";

const RISK_WEIGHT: Readonly<Record<Risk, number>> = { high: 3, medium: 2, low: 1 };
const RISK_SEVERITY: Readonly<Record<Risk, Severity>> = {
  high: "high",
  medium: "medium",
  low: "low",
};

export class DetectionEngine {
  readonly options: DetectionOptions;
  private readonly book: AlertBook;
  private readonly scans: ScanDetector;
  private readonly sources: SweepLru<SourceContacts>;
  private readonly gapSince = new Map<string, { gap: string; since: number }>();
  /** Workloads with a raised gap alert (its id), and the ids whose gap has since cleared. */
  private readonly gapAlerts = new Map<string, string>();
  private clearedGaps: string[] = [];
  private lastSweep = 0;
  private changed = new Map<string, DetectedAlert>();

  constructor(
    private readonly view: DetectionView,
    options: Partial<DetectionOptions> = {},
  ) {
    this.options = { ...DEFAULT_DETECTION_OPTIONS, ...options };
    this.book = new AlertBook(this.options);
    this.sources = new SweepLru(this.options.maxSources);
    this.scans = new ScanDetector(this.book, this.options);
  }

  /** Feeds one batch; answers the alerts raised or updated by it (one entry per alert id). */
  observe(batch: readonly FlowObservation[], now: number): DetectedAlert[] {
    this.changed = new Map();
    for (const obs of batch) this.observeOne(obs);
    this.maybeSweep(now);
    return [...this.changed.values()];
  }

  /**
   * Enforcement gaps: an agent offline, drifted or behind the current RuleSet for longer than the
   * grace period raises (and, while it lasts, keeps updating) one alert per workload.
   */
  checkAgents(states: readonly AgentGapState[], now: number): DetectedAlert[] {
    this.changed = new Map();
    const seen = new Set<string>();
    for (const s of states) {
      seen.add(s.workload);
      const gap = gapOf(s, now, this.options.offlineAfterMs);
      if (gap === undefined) {
        this.gapSince.delete(s.workload);
        this.clearGap(s.workload);
        continue;
      }
      const prev = this.gapSince.get(s.workload);
      const since = prev?.gap === gap ? prev.since : now;
      this.gapSince.set(s.workload, { gap, since });
      if (now - since < this.options.gapGraceMs) continue;
      const lasted = Math.round((now - since) / 1000);
      const raised = this.emit(
        this.book.raise({
          kind: "enforcement-gap",
          source: s.workload,
          severity: gap === "drifted" ? "high" : "medium",
          at: now,
          gap,
          detail: { sinceMs: since, graceMs: this.options.gapGraceMs },
          summary: (a) =>
            `${a.source}: agent ${gap} for ${lasted} s (grace ${this.options.gapGraceMs / 1000} s)`,
        }),
      );
      this.gapAlerts.set(s.workload, raised.id);
    }
    for (const w of [...this.gapSince.keys()]) if (!seen.has(w)) this.gapSince.delete(w);
    for (const w of [...this.gapAlerts.keys()]) if (!seen.has(w)) this.clearGap(w);
    return [...this.changed.values()];
  }

  /**
   * A restarted controller's stored alerts, back in the book (AlertBook.restore): the same
   * (kind, source) goes on updating the same alert. Call it after observing the recent flow
   * history (which rebuilds the contact windows): what that raised is dropped here. An
   * enforcement-gap alert stays its workload's alert however long the controller was down:
   * resolved at the next check if the agent is in order, updated if the gap goes on.
   */
  restore(alerts: readonly DetectedAlert[], now: number): void {
    this.changed = new Map();
    this.gapAlerts.clear();
    this.gapSince.clear();
    const open = alerts.map((a) => {
      if (a.kind !== "enforcement-gap") return a;
      this.gapAlerts.set(a.source, a.id);
      const since = a.evidence.detail?.sinceMs;
      if (a.evidence.gap !== undefined && typeof since === "number") {
        this.gapSince.set(a.source, { gap: a.evidence.gap, since });
      }
      return { ...a, lastAt: Math.max(a.lastAt, now) };
    });
    this.book.restore(open, now);
  }

  /** Ids of enforcement-gap alerts whose gap has cleared since the last call (to resolve). */
  takeClearedGaps(): string[] {
    const out = this.clearedGaps;
    this.clearedGaps = [];
    return out;
  }

  private clearGap(workload: string) {
    const id = this.gapAlerts.get(workload);
    if (id === undefined) return;
    this.gapAlerts.delete(workload);
    this.book.close("enforcement-gap", workload);
    this.clearedGaps.push(id);
  }

  /**
   * Is an alert open that makes the source a suspect (scan, lateral movement, spread, decoy)?
   * Its traffic is then not learned: an attacker does not teach the baseline its own access.
   */
  isSuspect(source: string, now: number): boolean {
    for (const kind of SUSPECT_KINDS) if (this.book.isOpen(kind, source, now)) return true;
    return false;
  }

  /** Tracked state, for tests and the benchmark: sources, slow-scan contacts, the book's entries. */
  stateSize(): number {
    return this.sources.size + this.scans.size() + this.book.size();
  }

  private observeOne(obs: FlowObservation) {
    const src = obs.from.name;
    const dst = obs.to.name;
    if (src === dst) return;
    const at = obs.last;
    const decoy = this.view.isDecoy(obs.to, obs.port);
    const failed = failedContact(obs);
    const suspicious = this.suspicious(obs, failed);
    if (!decoy && !suspicious) return;
    // Asked only now: most observations are neither (an answered, known or allowed edge).
    const authorised = this.view.isScanner(obs.from);
    if (decoy && !authorised) this.decoy(obs, at);
    if (!suspicious) return;
    const contacts = this.contactsOf(src);
    const fresh = contacts.record(dst, obs.port, at, this.options.scanWindowMs);
    const fast = fresh ? this.scans.fast(contacts, obs, at, authorised) : undefined;
    if (fast !== undefined) this.emit(fast);
    if (failed) {
      const slow = this.scans.slow(obs, at, authorised);
      if (slow !== undefined) this.emit(slow);
    }
    if (!fresh || authorised) return;
    const flow = evidence(obs);
    const svc = serviceOf(obs.port);
    if (svc.spread) this.spread(contacts, obs, at, flow, !failed);
    // Lateral movement: edges no policy or baseline explains that reached a service, and failed
    // attempts (blocked, refused, unanswered) on high-risk services only; other failures are the
    // scan detectors' business. A failed attempt the policy allows is explained: not counted.
    const attempt =
      failed && svc.risk === "high" && (obs.verdict !== "allowed" || !this.view.allows(obs));
    if (obs.to.kind === "workload" && (!failed || attempt)) {
      this.lateral(contacts, obs, at, flow, svc.risk, !failed);
    }
  }

  /**
   * Blocked and would-block contacts always count. A failed one (refused, unanswered) counts
   * unless the edge answered before (in the baseline): a server that went down is no scan. An
   * answered one counts when neither the baseline knows the edge nor the policy allows it (the
   * rule the ingest attributed, else the view's explain).
   */
  private suspicious(obs: FlowObservation, failed: boolean): boolean {
    if (obs.verdict !== "allowed") return true;
    if (failed) return !this.view.known(obs);
    // A rule attributed to an allowed flow is the active policy allowing it: no lookup needed.
    if (obs.rule !== undefined) return false;
    return !this.view.known(obs) && !this.view.allows(obs);
  }

  private decoy(obs: FlowObservation, at: number) {
    this.emit(
      this.book.raise({
        kind: "decoy",
        source: obs.from.name,
        severity: "high",
        at,
        target: obs.to.name,
        port: obs.port,
        flow: evidence(obs),
        summary: (a) =>
          `${a.source} touched decoy ${a.targetList.join(", ")} (${a.portList.join(", ")}); nothing legitimate uses it`,
      }),
    );
  }

  private spread(
    c: SourceContacts,
    obs: FlowObservation,
    at: number,
    flow: EvidenceFlow,
    reached: boolean,
  ) {
    const src = obs.from.name;
    const o = this.options;
    c.recordSpread(obs.to.name, at);
    const open = this.book.isOpen("ransomware-spread", src, at);
    if (!open && c.spreadHosts(at - o.spreadWindowMs) < o.spreadHosts) return;
    this.emit(
      this.book.raise({
        kind: "ransomware-spread",
        source: src,
        severity: "critical",
        at,
        ...(open ? {} : { seedTargets: c.spreadList() }),
        target: obs.to.name,
        port: obs.port,
        flow,
        reaches: reached,
        detail: { spreadHosts: o.spreadHosts, windowMs: o.spreadWindowMs },
        summary: (a) =>
          `${a.source} fanned out on file-sharing/remote-execution services (${a.portList.map(describePort).join(", ")}) to ${countOf(a.targets, "host")}`,
      }),
    );
  }

  private lateral(
    c: SourceContacts,
    obs: FlowObservation,
    at: number,
    flow: EvidenceFlow,
    risk: Risk,
    reached: boolean,
  ) {
    const src = obs.from.name;
    const o = this.options;
    if (at - c.lateralSince > o.lateralWindowMs) {
      c.lateralScore = 0;
      c.lateralSince = at;
    }
    c.lateralScore += RISK_WEIGHT[risk];
    if (c.lateralScore < o.lateralScore && !this.book.isOpen("lateral-movement", src, at)) return;
    this.emit(
      this.book.raise({
        kind: "lateral-movement",
        source: src,
        severity: RISK_SEVERITY[risk],
        at,
        target: obs.to.name,
        port: obs.port,
        flow,
        reaches: reached,
        summary: lateralSummary,
      }),
    );
  }

  private contactsOf(source: string): SourceContacts {
    return this.sources.use(source, () => new SourceContacts(this.options.maxContactsPerSource));
  }

  private emit(a: DetectedAlert): DetectedAlert {
    this.changed.set(a.id, a);
    return a;
  }

  /** At most once per scan window: drop idle sources and expired book entries. */
  private maybeSweep(now: number) {
    const o = this.options;
    if (now - this.lastSweep < o.scanWindowMs) return;
    this.lastSweep = now;
    const idle = Math.max(o.scanWindowMs, o.spreadWindowMs, o.lateralWindowMs);
    this.sources.sweep((c) => now - c.lastAt > idle);
    this.scans.sweep(now);
    this.book.sweep(now);
  }
}

function lateralSummary(a: OpenAlert): string {
  const via = a.chain === undefined ? "" : ` (after ${a.chain.join(" -> ")})`;
  const ports = a.portList.slice(0, 5).map(describePort).join(", ");
  const more = a.targets.size > 5 ? ` and ${a.targets.size - 5} more` : "";
  return `${a.source}${via} opened connections no policy or baseline explains to ${a.targetList.slice(0, 5).join(", ")}${more} on ${ports}`;
}
