// The flow vocabulary every analysis shares. A flow here is already resolved: its ends are named
// (a workload's name, or the bare address of a peer no workload owns) and its verdict is what
// the enforcement point did. Times are milliseconds since the epoch; nothing here reads a clock.

export type FlowVerdict = "allowed" | "blocked" | "would-block";

/** What the network answered a connection: a reply, a refusal (reset, ICMP error), or nothing. */
export type FlowOutcome = "established" | "refused" | "unanswered";

/** `tcp/5432`, `udp/53`, `icmp`, `icmpv6`, `proto/47` — the same spelling explain() takes. */
export type PortSpec = string;

/** One end of a flow: a workload by name, or an address no workload owns. */
export interface FlowEnd {
  readonly name: string;
  readonly kind: "workload" | "address";
}

/**
 * One aggregated observation, as the controller resolved it from an agent's report: `count`
 * connections (allowed) or attempts (blocked, would-block) between two ends on one service,
 * between `first` and `last`.
 */
export interface FlowObservation {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  readonly port: PortSpec;
  readonly verdict: FlowVerdict;
  /** What the network answered (absent: established, as older agents reported). */
  readonly outcome?: FlowOutcome;
  readonly count: number;
  readonly packets: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
  /** The workload whose agent reported it, and from which end it saw the flow. */
  readonly reporter: string;
  readonly side: "source" | "destination";
  /** The rule that decided, when the controller could attribute one (explain on the revision). */
  readonly rule?: string;
}

/** Observations merged over a time range: the flow graph's edge. */
export interface FlowEdge {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  readonly port: PortSpec;
  readonly verdict: FlowVerdict;
  /** What the network answered (absent: established, as older agents reported). */
  readonly outcome?: FlowOutcome;
  readonly count: number;
  readonly packets: number;
  readonly bytes: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly rule?: string;
}
