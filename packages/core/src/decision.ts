// The answer of explain(): the verdict for one flow and the path that led to it.

import type { Action, Direction, Mode, SourceRef } from "./model.js";

export type Verdict = "allowed" | "blocked" | "would-block";

/** One side of a flow: a workload by name, or a bare address (unmanaged peer). */
export type Endpoint = { readonly workload: string } | { readonly address: string };

export interface FlowQuery {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** `tcp/5432`, `udp/53`, `icmp`, `icmp/8`, ... */
  readonly port: string;
}

/** How one enforcement point (an end that is a managed workload) judged the flow. */
export interface ExplainStep {
  /** `source` checks its outbound chain, `destination` its inbound chain. */
  readonly at: "source" | "destination";
  readonly workload: string;
  readonly direction: Direction;
  readonly mode: Mode;
  /** What policy says at this end, before the mode. */
  readonly policy: "allow" | "deny";
  /** The rule that decided, if a rule did; absent when the chain's default decided. */
  readonly rule?: { readonly id: string; readonly action: Action; readonly source: SourceRef };
  /** Why the default applied (e.g. "no rule matches; native workloads are default-deny"). */
  readonly reason: string;
  /** Labels of the remote side that the deciding rule matched on, when a selector decided. */
  readonly matchedLabels?: Readonly<Record<string, string>>;
}

export interface Decision {
  readonly verdict: Verdict;
  /** What policy says regardless of modes: deny if any end's policy denies. */
  readonly policy: "allow" | "deny";
  /** Empty when neither end is a managed workload (nothing enforces: allowed). */
  readonly steps: readonly ExplainStep[];
}
