// What learning (recommendation, discovery, label suggestions) may learn from: traffic that was
// let through (allowed, would-block) and answered, from a source that is neither a declared
// scanner nor held back by an open alert. Everything else is left out, and counted by reason.
//
//   reason       the edge ...
//   blocked      was dropped by the ruleset (never traffic to keep)
//   refused      got a reset or an ICMP error: nothing served it (a scan of a closed port)
//   unanswered   got no reply at all
//   scanner      comes from a declared scanner (scanners.ts)
//   heldBack     comes from a source under an open scan/lateral-movement/spread/decoy alert:
//                learned once the alert is acknowledged (baseline poisoning)
// The first reason that applies is the one counted.

import type { FlowEdge, FlowVerdict } from "./flow.js";
import type { Scanners } from "./scanners.js";

export const LEARNED_VERDICTS: readonly FlowVerdict[] = ["allowed", "would-block"];
const LEARNED: ReadonlySet<FlowVerdict> = new Set(LEARNED_VERDICTS);

export type LeftOutReason = "blocked" | "refused" | "unanswered" | "scanner" | "heldBack";

export interface LearningFilter {
  readonly scanners?: Scanners;
  /** Source (a workload's name or an address) -> ids of the open alerts holding it back. */
  readonly heldBack?: ReadonlyMap<string, readonly string[]>;
}

export type LeftOut = Readonly<Record<LeftOutReason, number>>;

export interface HeldBackSource {
  readonly source: string;
  readonly alerts: readonly string[];
  /** Its edges left out for it (edges left out for an earlier reason are not counted). */
  readonly edges: number;
}

export interface Learnable {
  readonly learned: readonly FlowEdge[];
  readonly leftOut: LeftOut;
  /** Sorted by source. */
  readonly heldBack: readonly HeldBackSource[];
}

export function leftOutReason(e: FlowEdge, filter: LearningFilter): LeftOutReason | undefined {
  if (!LEARNED.has(e.verdict)) return "blocked";
  if (e.outcome === "refused") return "refused";
  if (e.outcome === "unanswered") return "unanswered";
  if (filter.scanners?.isScanner(e.from) === true) return "scanner";
  if (filter.heldBack?.has(e.from.name) === true) return "heldBack";
  return undefined;
}

export function learnableEdges(edges: readonly FlowEdge[], filter: LearningFilter = {}): Learnable {
  const leftOut: Record<LeftOutReason, number> = {
    blocked: 0,
    refused: 0,
    unanswered: 0,
    scanner: 0,
    heldBack: 0,
  };
  const held = new Map<string, number>();
  const learned: FlowEdge[] = [];
  for (const e of edges) {
    const reason = leftOutReason(e, filter);
    if (reason === undefined) {
      learned.push(e);
      continue;
    }
    leftOut[reason]++;
    if (reason === "heldBack") held.set(e.from.name, (held.get(e.from.name) ?? 0) + 1);
  }
  const heldBack = [...held.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, n]) => ({ source, alerts: filter.heldBack?.get(source) ?? [], edges: n }));
  return { learned, leftOut, heldBack };
}
