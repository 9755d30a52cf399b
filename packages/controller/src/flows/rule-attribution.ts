// Which rule decided a flow: core's explain on the revision active now, against the inventory as
// the address book last saw it. One ExplainContext per (revision, inventory version), built on
// first use; one answer per (from, to, port, verdict) cached under it, so a batch costs one
// explain per distinct edge at most and usually none.

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

export class RuleAttribution {
  private key = "";
  private context: ExplainContext | undefined;
  private active: ActivePolicy | undefined;
  private readonly answers = new Map<string, string | null>();
  private readonly sourceTests = new Map<string, boolean>();

  /** Points attribution at the policy and inventory now in force (cheap when unchanged). */
  use(active: ActivePolicy): void {
    const key = `${active.revision}:${active.inventoryVersion}`;
    if (key === this.key) return;
    this.key = key;
    this.active = active;
    this.context = undefined;
    this.answers.clear();
    this.sourceTests.clear();
  }

  /**
   * Whether the source end is a workload in test mode whose policy denies this flow: the
   * destination saw the connection arrive (allowed on the wire), but the source would have
   * blocked it had it enforced — so the flow is would-block.
   */
  sourceWouldBlock(from: FlowEndRef, to: FlowEndRef, port: string): boolean {
    if (from.kind !== "workload" || this.active === undefined || this.active.revision === null) {
      return false;
    }
    const key = `${from.name}\u0000${to.kind[0]}${to.name}\u0000${port}`;
    let answer = this.sourceTests.get(key);
    if (answer === undefined) {
      const d = this.decide(from, to, port);
      answer =
        d?.steps.some((s) => s.at === "source" && s.mode === "test" && s.policy === "deny") ??
        false;
      if (this.sourceTests.size >= CACHE_LIMIT) this.sourceTests.clear();
      this.sourceTests.set(key, answer);
    }
    return answer;
  }

  /** The deciding rule's name; null when a chain default decided or explain cannot tell. */
  ruleFor(from: FlowEndRef, to: FlowEndRef, port: string, verdict: EdgeVerdict): string | null {
    if (this.active?.revision === null || this.active === undefined) return null;
    const key = `${from.kind[0]}${from.name}\u0000${to.kind[0]}${to.name}\u0000${port}\u0000${verdict}`;
    let rule = this.answers.get(key);
    if (rule === undefined) {
      rule = this.explain(from, to, port, verdict);
      if (this.answers.size >= CACHE_LIMIT) this.answers.clear();
      this.answers.set(key, rule);
    }
    return rule;
  }

  private explain(from: FlowEndRef, to: FlowEndRef, port: string, verdict: EdgeVerdict) {
    const d = this.decide(from, to, port);
    return d === undefined ? null : decidingRule(d, verdict);
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
