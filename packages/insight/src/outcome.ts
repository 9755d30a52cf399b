// Reading a flow's outcome. Learning takes what was answered; detection counts what failed.
// An older agent sends no outcome: its flows count as established, as they always did.
import type { FlowObservation, FlowOutcome } from "./flow.js";

/** Did the network answer it (a reply seen)? Absent outcome: yes. */
export function answered(flow: { readonly outcome?: FlowOutcome }): boolean {
  return flow.outcome === undefined || flow.outcome === "established";
}

/**
 * A failed contact: dropped by the ruleset here (`blocked`), or refused or left unanswered by the
 * network — in any mode, so a learn-mode estate sees a sweep of closed ports too.
 */
export function failedContact(obs: FlowObservation): boolean {
  return obs.verdict === "blocked" || !answered(obs);
}
