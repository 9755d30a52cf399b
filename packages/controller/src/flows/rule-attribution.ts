// Which rule decided a flow: core's explain on the revision active now, against the inventory as
// the address book last saw it. One ExplainContext per (revision, inventory version), built on
// first use; one explain per (from, to, port) cached under it (the rule for either verdict and
// the source's test-mode answer come from the same decision), so a batch costs one explain per
// distinct edge at most and usually none.

import {
  type Decision,
  ExplainContext,
  explainEndpoints,
  type Policy,
  type ResolvedEndpoint,
  type Workload,
} from "@microseg/core";
import type { EdgeVerdict } from "@microseg/store";
import type { FlowEndRef } from "./address-book.js";

const CACHE_LIMIT = 100_000;

export interface ActivePolicy {
  readonly revision: number | null;
  readonly policy: Policy;
  readonly inventory: readonly Workload[];
  /** Changes whenever the inventory does. */
  readonly inventoryVersion: number;
}

/** What one explain of (from, to, port) tells the ingest; every verdict is answered from it. */
interface Attribution {
  /** The source is a workload in test mode whose policy denies the flow. */
  readonly sourceTestDeny: boolean;
  /** The deciding rule for an allowed flow, and for a blocked / would-block one. */
  readonly allowed: string | null;
  readonly denied: string | null;
}

const UNKNOWN: Attribution = { sourceTestDeny: false, allowed: null, denied: null };

export class RuleAttribution {
  private key = "";
  private context: ExplainContext | undefined;
  private active: ActivePolicy | undefined;
  /** from -> to -> port; the ends are the address book's objects, so lookups hash no string. */
  private readonly answers = new Map<FlowEndRef, Map<FlowEndRef, Map<string, Attribution>>>();
  private cached = 0;

  /** Points attribution at the policy and inventory now in force (cheap when unchanged). */
  use(active: ActivePolicy): void {
    const key = `${active.revision}:${active.inventoryVersion}`;
    if (key === this.key) return;
    this.key = key;
    this.active = active;
    this.context = undefined;
    this.answers.clear();
    this.cached = 0;
  }

  /**
   * Whether the source end is a workload in test mode whose policy denies this flow: the
   * destination saw the connection arrive (allowed on the wire), but the source would have
   * blocked it had it enforced — so the flow is would-block.
   */
  sourceWouldBlock(from: FlowEndRef, to: FlowEndRef, port: string): boolean {
    if (from.kind !== "workload") return false;
    return this.attribution(from, to, port).sourceTestDeny;
  }

  /** The deciding rule's name; null when a chain default decided or explain cannot tell. */
  ruleFor(from: FlowEndRef, to: FlowEndRef, port: string, verdict: EdgeVerdict): string | null {
    const a = this.attribution(from, to, port);
    return verdict === "allowed" ? a.allowed : a.denied;
  }

  /** One explain per (from, to, port) under the active revision and inventory, cached. */
  private attribution(from: FlowEndRef, to: FlowEndRef, port: string): Attribution {
    if (this.active === undefined || this.active.revision === null) return UNKNOWN;
    let byTo = this.answers.get(from);
    let byPort = byTo?.get(to);
    const hit = byPort?.get(port);
    if (hit !== undefined) return hit;
    const d = this.decide(from, to, port);
    const answer = d === undefined ? UNKNOWN : summarise(d);
    if (this.cached >= CACHE_LIMIT) {
      this.answers.clear();
      this.cached = 0;
      byTo = undefined;
      byPort = undefined;
    }
    if (byTo === undefined) {
      byTo = new Map();
      this.answers.set(from, byTo);
    }
    if (byPort === undefined) {
      byPort = new Map();
      byTo.set(to, byPort);
    }
    byPort.set(port, answer);
    this.cached++;
    return answer;
  }

  private decide(from: FlowEndRef, to: FlowEndRef, port: string): Decision | undefined {
    const active = this.active as ActivePolicy;
    this.context ??= new ExplainContext(active.policy, active.inventory);
    const ctx = this.context;
    const src = endpoint(ctx, from);
    const dst = endpoint(ctx, to);
    if (src === undefined || dst === undefined) return undefined;
    try {
      return explainEndpoints(ctx, src, dst, port);
    } catch {
      return undefined; // a port explain does not take (proto/47, tcp/0): no attribution
    }
  }
}

function summarise(d: Decision): Attribution {
  return {
    sourceTestDeny: d.steps.some(
      (s) => s.at === "source" && s.mode === "test" && s.policy === "deny",
    ),
    allowed: decidingRule(d, "allowed"),
    denied: decidingRule(d, "blocked"),
  };
}

function endpoint(ctx: ExplainContext, end: FlowEndRef): ResolvedEndpoint | undefined {
  if (end.kind === "address") return { address: end.name };
  const w = ctx.inventory.get(end.name);
  return w === undefined ? undefined : { workload: w };
}

/**
 * blocked / would-block: the rule of the end that denied (none: its default denied). allowed:
 * the destination's allowing rule, else the source's. Nothing when explain disagrees with what
 * the enforcement point did (policy changed since).
 */
function decidingRule(d: Decision, verdict: EdgeVerdict): string | null {
  if (verdict === "allowed") {
    if (d.policy === "deny") return null;
    const steps = [...d.steps].reverse();
    return steps.find((s) => s.rule !== undefined)?.rule?.id ?? null;
  }
  const deny = d.steps.find((s) => s.policy === "deny");
  return deny?.rule?.id ?? null;
}
