// Security groups, one per label set that a rule side needs: the side's selector ∧ the rule's
// scope (an unscoped `any` on the local side is the empty selector: every workload), folded per
// key (selector-math.ts), so a conjunction no labels satisfy gets no group. A managed native
// workload is attached to every group whose selector it matches, so "instances with group G" is
// exactly "workloads the selector selects" for the inventory exported. A workload that matches
// no group gets NO_RULES, a group without rules: an instance with no group at all would fall
// back to the VPC's default group, which allows more than the policy.

import type { LabelMatch, Peer, Rule, Selector, Workload } from "@microseg/core";
import { matchSelector } from "../model-view.js";
import { fnv32 } from "../rows.js";
import { conjoin } from "../selector-math.js";

export interface Group {
  readonly resource: string;
  /** Undefined for NO_RULES, which is attached by absence of any other group. */
  readonly selector?: Selector;
  readonly text: string;
}

export const NO_RULES: Group = { resource: "mseg_no_rules", text: "no rule" };

export class GroupRegistry {
  private readonly byKey = new Map<string, Group>();

  /** The group of a label-selecting peer under a scope; undefined for address peers and for
   * selectors no labels satisfy. */
  forPeer(peer: Peer, rule: Rule): Group | undefined {
    if (peer.kind === "ipList" || peer.kind === "cidrs") return undefined;
    const own = peer.kind === "workloads" ? peer.selector : undefined;
    const all = conjoin(own, rule.scope);
    return all === undefined ? undefined : this.get(all.match);
  }

  get(match: readonly LabelMatch[]): Group {
    const text = selectorText(match);
    const found = this.byKey.get(text);
    if (found !== undefined) return found;
    const slug =
      text
        .replace(/[^a-zA-Z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 40) || "all";
    const group = { resource: `mseg_${slug}_${fnv32(text)}`, selector: { match }, text };
    this.byKey.set(text, group);
    return group;
  }

  /** Every group the rules need, plus NO_RULES when some workload needs it; resource order. */
  all(workloads: readonly Workload[]): Group[] {
    const groups = this.selecting();
    const empty = attachable(workloads).some((w) => !groups.some((g) => selects(g, w)));
    return empty ? [...groups, NO_RULES].sort(byResource) : groups;
  }

  /** workload -> the groups it is attached to (managed workloads outside Kubernetes). */
  attachments(workloads: readonly Workload[]): Map<string, Group[]> {
    const groups = this.selecting();
    const out = new Map<string, Group[]>();
    for (const w of attachable(workloads)) {
      const mine = groups.filter((g) => selects(g, w));
      out.set(w.name, mine.length > 0 ? mine : [NO_RULES]);
    }
    return out;
  }

  private selecting(): Group[] {
    return [...this.byKey.values()].sort(byResource);
  }
}

/** Managed workloads outside Kubernetes: the instances security groups are attached to. */
export function attachable(workloads: readonly Workload[]): Workload[] {
  return workloads.filter((x) => x.managed && x.namespace === undefined);
}

function selects(g: Group, w: Workload): boolean {
  return g.selector !== undefined && matchSelector(g.selector, w.labels);
}

function byResource(a: Group, b: Group): number {
  return a.resource < b.resource ? -1 : 1;
}

function selectorText(match: readonly LabelMatch[]): string {
  const parts = match.map((m) => {
    if (m.op === "in") return `${m.key}=${[...m.values].sort().join("|")}`;
    if (m.op === "notin") return `${m.key}!=${[...m.values].sort().join("|")}`;
    return m.op === "exists" ? m.key : `!${m.key}`;
  });
  return [...new Set(parts)].sort().join(",") || "all";
}
