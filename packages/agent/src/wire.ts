// The controller <-> agent messages, from @microseg/protocol (the one definition of the wire),
// plus the limits the agent respects when it builds a status report.

import type { AgentEvent, StatusRequest } from "@microseg/protocol/agent";

export type {
  AgentEvent,
  EnrolRequest,
  EnrolResponse,
  PolicyResponse,
  StatusRequest,
} from "@microseg/protocol/agent";

export type AgentEventKind = AgentEvent["kind"];
export type AppliedReport = NonNullable<StatusRequest["applied"]>;
export type DriftStatus = NonNullable<StatusRequest["drift"]>;
export type HostInterface = { name: string; addresses: string[] };

/** StatusRequest.events holds at most this many; the rest wait for the next report. */
export const MAX_EVENTS_PER_REPORT = 100;
/** Strings in a status report (details, error) are cut to this length. */
export const MAX_TEXT = 4000;

export function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 3)}...`;
}
