// The policy model: what a policy means once it has been parsed, validated and normalized.
// Everything downstream (compiler, explain, renderers, exporters) works on these types only;
// the YAML surface syntax lives in policy/ and is translated into them.

export type Mode = "learn" | "test" | "enforce";
export type Direction = "inbound" | "outbound";
export type Labels = Readonly<Record<string, string>>;

/** A workload: anything that processes data and has addresses. */
export interface Workload {
  readonly name: string;
  readonly labels: Labels;
  /** Plain IPv4/IPv6 addresses, no prefix length. */
  readonly addresses: readonly string[];
  readonly mode: Mode;
  /** false: an outside host with no agent; it can be selected by labels but gets no RuleSet. */
  readonly managed: boolean;
  /**
   * Kubernetes namespace. A workload in a namespace follows Kubernetes isolation semantics:
   * a direction is default-deny only when an Isolation selects it for that direction.
   * Outside a namespace (native semantics) both directions are always default-deny.
   */
  readonly namespace?: string;
  /** Labels of the namespace, as namespace selectors see them. */
  readonly namespaceLabels?: Labels;
  /** What Kubernetes calls container ports: name -> port. */
  readonly namedPorts?: Readonly<Record<string, PortRange>>;
  /**
   * Quarantined: no selector matches it (so no allow rule of a peer covers it) and its own
   * RuleSet denies everything both ways but the forensic addresses, enforced whatever `mode` says.
   */
  readonly quarantine?: WorkloadQuarantine;
}

/** What the compiler needs of a quarantine: addresses still allowed both ways (a forensic host). */
export interface WorkloadQuarantine {
  /** Plain IPv4/IPv6 addresses, no prefix length. */
  readonly forensic: readonly string[];
}

/** One requirement of a selector. Equality is `in` with one value. */
export type LabelMatch =
  | { readonly key: string; readonly op: "in" | "notin"; readonly values: readonly string[] }
  | { readonly key: string; readonly op: "exists" | "notexists" };

/** All requirements must hold (all-of). An empty selector matches every workload. */
export interface Selector {
  readonly match: readonly LabelMatch[];
}

/** A set of addresses given as CIDRs, minus exceptions. */
export interface IpList {
  readonly name: string;
  readonly include: readonly string[];
  readonly except: readonly string[];
}

/** One side of a rule. A rule's `from`/`to` is a list of peers (any-of). */
export type Peer =
  /** Any address at all (inside a scope: any workload of the scope). */
  | { readonly kind: "any" }
  /** Workloads whose labels match; with namespaceSelector also their namespace's labels. */
  | {
      readonly kind: "workloads";
      readonly selector: Selector;
      readonly namespaceSelector?: Selector;
    }
  /** A named IpList of the policy. */
  | { readonly kind: "ipList"; readonly name: string }
  /** Inline CIDRs (Kubernetes ipBlock). */
  | {
      readonly kind: "cidrs";
      readonly include: readonly string[];
      readonly except: readonly string[];
    };

export type PortProtocol = "tcp" | "udp" | "sctp";
export interface PortRange {
  readonly proto: PortProtocol;
  readonly from: number;
  readonly to: number;
}
/** What a rule allows or denies. */
export type ServicePort =
  | PortRange
  /** A named port, resolved at each provider through Workload.namedPorts. */
  | { readonly proto: PortProtocol; readonly named: string }
  | { readonly proto: "icmp" | "icmpv6"; readonly type?: number }
  /** Every protocol and port. */
  | { readonly proto: "any" };

/** Precedence, strongest first: override-deny > allow > deny > the direction's default. */
export type Action = "override-deny" | "allow" | "deny";
export const ACTION_PRECEDENCE: readonly Action[] = ["override-deny", "allow", "deny"];

/** Where a piece of policy was written, for explain and error messages. */
export interface SourceRef {
  readonly file?: string;
  /** e.g. `rules[3]` or `scopes[0].rules[1]` */
  readonly path: string;
}

/**
 * Which managed ends enforce a rule. Native rules bind both (the consumer's outbound chain and the
 * provider's inbound chain); a Kubernetes ingress rule binds only the destination pod (`provider`)
 * and an egress rule only the source pod (`consumer`), so the other end's own isolation decides
 * there.
 */
export type Enforcement = "both" | "provider" | "consumer";

export interface Rule {
  /** Stable identity: the rule's name, or `<file>#<path>` when unnamed. */
  readonly id: string;
  readonly action: Action;
  readonly from: readonly Peer[];
  readonly to: readonly Peer[];
  /** Empty: every protocol and port. */
  readonly services: readonly ServicePort[];
  /** A scope restricts every workload peer (and `any`) of the rule to workloads it matches. */
  readonly scope?: Selector;
  /** Absent: `both`. */
  readonly enforce?: Enforcement;
  readonly source: SourceRef;
}

/** Makes the selected (Kubernetes-semantics) workloads default-deny in the given directions. */
export interface Isolation {
  readonly id: string;
  readonly selector: Selector;
  readonly namespaceSelector?: Selector;
  readonly directions: readonly Direction[];
  readonly source: SourceRef;
}

export interface Policy {
  readonly rules: readonly Rule[];
  readonly ipLists: Readonly<Record<string, IpList>>;
  readonly isolation: readonly Isolation[];
}

/** An offline assertion written in a policy file's `tests:` section. */
export interface PolicyTest {
  readonly from: string;
  readonly to: string;
  /** e.g. `tcp/5432`, `udp/53`, `icmp` */
  readonly port: string;
  readonly expect: "allow" | "deny";
  readonly source: SourceRef;
}

export const EMPTY_POLICY: Policy = { rules: [], ipLists: {}, isolation: [] };
