// What the detectors produce and what they need to know about the estate. Everything is plain
// data; times are milliseconds since the epoch and always passed in.

import type { FlowEnd, FlowObservation, FlowOutcome, FlowVerdict } from "../flow.js";

export type AlertKind =
  | "scan"
  | "lateral-movement"
  | "ransomware-spread"
  | "decoy"
  | "enforcement-gap"
  /** Informational: what a declared scanner (scanners.ts) swept, in place of a scan alert. */
  | "authorised-scan";

export const ALERT_KINDS: readonly AlertKind[] = [
  "scan",
  "lateral-movement",
  "ransomware-spread",
  "decoy",
  "enforcement-gap",
  "authorised-scan",
];

/** Kinds that make their source a suspect: its traffic is not learned while such an alert is open. */
export const SUSPECT_KINDS: readonly AlertKind[] = [
  "scan",
  "lateral-movement",
  "ransomware-spread",
  "decoy",
];

export type Severity = "low" | "medium" | "high" | "critical";
export const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** One flow kept as evidence (bounded per alert); `rule` is the deciding rule when known. */
export interface EvidenceFlow {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly verdict: FlowVerdict;
  /** What the network answered (absent: established). */
  readonly outcome?: FlowOutcome;
  readonly count: number;
  readonly at: number;
  readonly rule?: string;
}

export interface AlertEvidence {
  /** The newest flows that raised or updated the alert (at most EVIDENCE_FLOWS). */
  readonly flows: readonly EvidenceFlow[];
  /** Distinct ports touched (scans), at most EVIDENCE_PORTS. */
  readonly ports?: readonly string[];
  /**
   * How many distinct targets and ports the alert counts (up to the tracked caps), when more
   * than are listed: a restored alert's counts go on from here.
   */
  readonly seen?: { readonly targets: number; readonly ports: number };
  /** The lateral-movement chain that reached this alert's source, in order (A, B for B's alert). */
  readonly chain?: readonly string[];
  /** Enforcement gap: what is wrong with the agent. */
  readonly gap?: string;
  /** Detector-specific numbers (thresholds, windows) so a reader sees why it fired. */
  readonly detail?: Readonly<Record<string, string | number>>;
}

/**
 * An alert as the engine keeps it. The same `id` comes back, updated, while new evidence keeps
 * arriving (de-duplication); the consumer upserts it.
 */
export interface DetectedAlert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly source: string;
  readonly targets: readonly string[];
  readonly at: number;
  readonly lastAt: number;
  readonly summary: string;
  readonly incident: string;
  readonly evidence: AlertEvidence;
  /** How many times a detector re-raised it. */
  readonly count: number;
}

/** What the engine asks about the estate; the controller answers from its policy and history. */
export interface DetectionView {
  /** Does the active policy allow this flow (both managed ends)? */
  allows(obs: FlowObservation): boolean;
  /** Was this edge (from, to, port) seen before: learn mode, history, the baseline? */
  known(obs: FlowObservation): boolean;
  /** Is this destination (and port) a decoy? */
  isDecoy(to: FlowEnd, port: string): boolean;
  /** Is this source a declared scanner (label or the `scanners` IP list; see scanners.ts)? */
  isScanner(from: FlowEnd): boolean;
}

/** An agent's state as the enforcement-gap check needs it. */
export interface AgentGapState {
  readonly workload: string;
  /** ms; undefined: never reported. */
  readonly lastHeartbeat: number | undefined;
  readonly drift: "unknown" | "in-sync" | "drifted" | "repaired";
  /** The RuleSet hash the agent applied, and the one the controller wants it on. */
  readonly appliedHash: string | undefined;
  readonly expectedHash: string | undefined;
  /** Learn mode and unmanaged hosts enforce nothing: nothing to fall behind on. */
  readonly revoked?: boolean;
}
