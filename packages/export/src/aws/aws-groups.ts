// Security groups, one per label set that a rule side needs: the side's selector ∧ the rule's
// scope (an unscoped `any` on the local side is the empty selector: every workload). A managed
// native workload is attached to every group whose selector it matches, so "instances with group
// G" is exactly "workloads the selector selects" for the inventory exported.

import type { LabelMatch, Peer, Rule, Selector, Workload } from "@microseg/core";
import { matchSelector } from "../model-view.js";
import { fnv32 } from "../rows.js";

export interface Group {
  readonly resource: string;
  readonly selector: Selector;
  readonly text: string;
}

export class GroupRegistry {
  private readonly byKey = new Map<string, Group>();

  /** The group of a label-selecting peer under a scope; undefined for address peers. */
  forPeer(peer: Peer, rule: Rule): Group | undefined {
    if (peer.kind === "ipList" || peer.kind === "cidrs") return undefined;
    const own = peer.kind === "workloads" ? peer.selector.match : [];
    return this.get([...own, ...(rule.scope?.match ?? [])]);
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

  all(): Group[] {
    return [...this.byKey.values()].sort((a, b) => (a.resource < b.resource ? -1 : 1));
  }

  /** workload -> the groups it is attached to (managed workloads outside Kubernetes). */
  attachments(workloads: readonly Workload[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const w of workloads.filter((x) => x.managed && x.namespace === undefined)) {
      out[w.name] = this.all()
        .filter((g) => matchSelector(g.selector, w.labels))
        .map((g) => `\${aws_security_group.${g.resource}.id}`);
    }
    return out;
  }
}

function selectorText(match: readonly LabelMatch[]): string {
  const parts = match.map((m) => {
    if (m.op === "in") return `${m.key}=${[...m.values].sort().join("|")}`;
    if (m.op === "notin") return `${m.key}!=${[...m.values].sort().join("|")}`;
    return m.op === "exists" ? m.key : `!${m.key}`;
  });
  return [...new Set(parts)].sort().join(",") || "all";
}
