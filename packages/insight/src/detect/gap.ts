// Enforcement gap: what is wrong with an agent, if anything — offline (no heartbeat within the
// offline period), drifted (its table was changed behind its back), or behind (not on the RuleSet
// the controller wants it on). The engine adds the grace period.

import type { AgentGapState } from "./types.js";

export type Gap = "offline" | "drifted" | "behind";

export function gapOf(s: AgentGapState, now: number, offlineAfterMs: number): Gap | undefined {
  if (s.revoked === true) return undefined;
  if (s.lastHeartbeat === undefined || now - s.lastHeartbeat > offlineAfterMs) return "offline";
  if (s.drift === "drifted") return "drifted";
  if (s.expectedHash !== undefined && s.appliedHash !== s.expectedHash) return "behind";
  return undefined;
}
