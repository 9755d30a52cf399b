// Phase two: reduce the resolved policy to one workload's RuleSet. Entries are per rule (never
// per peer), ordered by precedence tier then policy order; peers are referenced by set name.

import type { Direction, Workload } from "../model.js";
import type { AddressSet, Chain, RuleEntry, RuleSet } from "../ruleset.js";
import { chainDefault } from "./defaults.js";
import { resolveNamed, toPortMatches } from "./ports.js";
import { guardQuarantined, quarantineRuleSet } from "./quarantine.js";
import type { Resolution, ResolvedRule } from "./resolve.js";
import { ruleSetHash } from "./ruleset-hash.js";

type Sets = Map<string, AddressSet>;

export function reduce(res: Resolution, w: Workload): RuleSet {
  if (w.quarantine !== undefined) return quarantineRuleSet(w, w.quarantine);
  const sets: Sets = new Map();
  const m = res.memberOf.get(w.name);
  const outRules = pick(res, res.openFrom, m?.out).filter((r) => binds(r, "consumer"));
  const inRules = pick(res, res.openTo, m?.in).filter((r) => binds(r, "provider"));
  const outbound = chain(
    res,
    w,
    "outbound",
    guardQuarantined(
      outRules.flatMap((r) => outEntries(r, sets)),
      sets,
      res.quarantined,
      "outbound",
    ),
  );
  const inbound = chain(
    res,
    w,
    "inbound",
    guardQuarantined(
      inRules.flatMap((r) => inEntries(r, w, sets)),
      sets,
      res.quarantined,
      "inbound",
    ),
  );
  const sortedSets: Record<string, AddressSet> = {};
  for (const name of [...sets.keys()].sort()) sortedSets[name] = sets.get(name) as AddressSet;
  const body = {
    workload: w.name,
    mode: w.mode,
    addresses: [...w.addresses].sort(),
    inbound,
    outbound,
    sets: sortedSets,
  };
  return { ...body, hash: ruleSetHash(body) };
}

function pick(res: Resolution, open: readonly number[], own: Set<number> | undefined) {
  const idx =
    own === undefined ? open : open.length === 0 ? [...own] : [...new Set([...open, ...own])];
  return idx.map((i) => res.rules[i] as ResolvedRule).sort((a, b) => a.order - b.order);
}

/** Does the rule bind this end? (`Rule.enforce`, absent = both ends.) */
function binds(r: ResolvedRule, end: "consumer" | "provider"): boolean {
  const e = r.rule.enforce ?? "both";
  return e === "both" || e === end;
}

function chain(res: Resolution, w: Workload, dir: Direction, entries: RuleEntry[]): Chain {
  return { default: chainDefault(res.policy, w, dir).default, entries };
}

/** At a consumer: the providers as destinations (plus one entry per named-port group). */
function outEntries(r: ResolvedRule, sets: Sets): RuleEntry[] {
  const out: RuleEntry[] = [];
  const { rule, plan, to } = r;
  if ((plan.all || plan.fixed.length > 0) && (to.open || !to.built.empty)) {
    const peer = to.open ? { any: true as const } : { set: r.outSet };
    if (!to.open) sets.set(r.outSet, to.built.set);
    out.push({ ruleId: rule.id, action: rule.action, peer, ports: plan.all ? [] : plan.fixed });
  }
  for (const g of r.namedGroups) {
    sets.set(g.setName, g.set);
    out.push({ ruleId: rule.id, action: rule.action, peer: { set: g.setName }, ports: g.ports });
  }
  return out;
}

/** At a provider: the consumers as sources, on the provider's own resolution of named ports. */
function inEntries(r: ResolvedRule, w: Workload, sets: Sets): RuleEntry[] {
  const { rule, plan, from } = r;
  if (!from.open && from.built.empty) return [];
  const ports = plan.all
    ? []
    : plan.named.length === 0
      ? plan.fixed
      : toPortMatches([...plan.fixed, ...resolveNamed(plan.named, w)]);
  if (!plan.all && ports.length === 0) return [];
  if (!from.open) sets.set(r.inSet, from.built.set);
  const peer = from.open ? { any: true as const } : { set: r.inSet };
  return [{ ruleId: rule.id, action: rule.action, peer, ports }];
}
