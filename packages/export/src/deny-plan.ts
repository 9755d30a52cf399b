// Override-deny rules in allow-only backends (Kubernetes NetworkPolicy, AWS security groups).
// Such a backend can only leave an allow out or make it smaller, so each allow that an
// override-deny overlaps (on the current inventory: common local workloads, common remote
// addresses, common ports) is narrowed, best first:
//   1. exact: the deny's remote side is addresses only (IP lists, CIDRs), covers all of the
//      allow's ports and all of its local workloads, and none of the allow's selected workloads
//      sits in it: the deny's addresses become `except` of the allow's address peers;
//   2. stricter: the deny's ports are taken out of the allow's ports, for every peer;
//   3. stricter: the allow is left out in that direction.
// Every step taken is a FidelityEntry. Plain `deny` never beats an allow, so where the default
// is deny it changes nothing; where the default is allow (non-isolated Kubernetes workloads) the
// backend cannot say it — the caller reports that.

import {
  type Direction,
  formatServicePort,
  type Peer,
  type Policy,
  type Rule,
  type ServicePort,
  type Workload,
} from "@microseg/core";
import { intersect, isEmpty, NO_RANGES, type Ranges, union } from "./cidr.js";
import type { FidelityLog } from "./fidelity.js";
import { boundWorkloads, peerSelects, sideRanges, workloadRanges } from "./model-view.js";
import { isAllPorts, portsOverlap, subtractPorts } from "./port-math.js";

export interface AllowPlan {
  readonly services: readonly ServicePort[];
  /** Addresses to take out of the allow's address peers (ipBlock except / fewer CIDRs). */
  readonly except: Ranges;
  /** Left out entirely in this direction. */
  readonly drop: boolean;
}

export type DenyPlans = Map<string, Partial<Record<Direction, AllowPlan>>>;

const DIRECTIONS: readonly Direction[] = ["inbound", "outbound"];

export function planOverrideDenies(
  policy: Policy,
  inventory: readonly Workload[],
  log: FidelityLog,
  backend: string,
): DenyPlans {
  const plans: DenyPlans = new Map();
  const denies = policy.rules.filter((r) => r.action === "override-deny");
  const allows = policy.rules.filter((r) => r.action === "allow");
  for (const d of denies) {
    let touched = false;
    for (const a of allows) {
      for (const dir of DIRECTIONS) {
        if (!overlaps(a, d, dir, policy, inventory)) continue;
        touched = true;
        const current = plans.get(a.id)?.[dir] ?? {
          services: a.services,
          except: NO_RANGES,
          drop: false,
        };
        if (current.drop) continue;
        const next = narrow(a, d, dir, current, policy, inventory, log, backend);
        plans.set(a.id, { ...plans.get(a.id), [dir]: next });
      }
    }
    if (!touched) {
      log.add(
        "exact",
        `override-deny ${d.id}`,
        `${backend} cannot express a deny, and on this inventory no allow overlaps it`,
        "nothing emitted for it; export again when workloads change",
        [d.id],
      );
    }
  }
  return plans;
}

function remote(rule: Rule, dir: Direction): readonly Peer[] {
  return dir === "inbound" ? rule.from : rule.to;
}

function overlaps(a: Rule, d: Rule, dir: Direction, policy: Policy, inv: readonly Workload[]) {
  if (!portsOverlap(a.services, d.services)) return false;
  const dLocal = new Set(boundWorkloads(d, dir, inv).map((w) => w.name));
  if (!boundWorkloads(a, dir, inv).some((w) => dLocal.has(w.name))) return false;
  const ar = sideRanges(remote(a, dir), a.scope, policy, inv);
  const dr = sideRanges(remote(d, dir), d.scope, policy, inv);
  return !isEmpty(intersect(ar, dr));
}

function narrow(
  a: Rule,
  d: Rule,
  dir: Direction,
  current: AllowPlan,
  policy: Policy,
  inv: readonly Workload[],
  log: FidelityLog,
  backend: string,
): AllowPlan {
  const what = `override-deny ${d.id} over allow ${a.id} (${dir})`;
  const ids = [d.id, a.id];
  if (exceptIsExact(a, d, dir, current, policy, inv)) {
    const dr = sideRanges(remote(d, dir), d.scope, policy, inv);
    log.add(
      "exact",
      what,
      `${backend} cannot express a deny`,
      "the denied addresses are cut out of the allow's address peers",
      ids,
    );
    return { ...current, except: union(current.except, dr) };
  }
  const left = subtractPorts(current.services, d.services);
  if (left.ports.length > 0) {
    const lost = left.lost.length > 0 ? `; also removed: ${left.lost.join(", ")}` : "";
    log.add(
      "approximated",
      what,
      `${backend} cannot express a deny, and the denied peers cannot be cut out of the allow exactly (stricter: the allow loses these ports for all its peers${lost})`,
      `allow ${a.id} narrowed to ${left.ports.map(formatServicePort).join(", ")}`,
      ids,
    );
    return { ...current, services: left.ports };
  }
  log.add(
    "dropped",
    what,
    `${backend} cannot express a deny, and it covers every port the allow opens (stricter: the allow's other peers lose access too)`,
    `allow ${a.id} left out ${dir === "inbound" ? "at its providers" : "at its consumers"}`,
    ids,
  );
  return { ...current, drop: true };
}

/** Case 1 of the header: the deny's addresses can become `except` without touching anything else. */
function exceptIsExact(
  a: Rule,
  d: Rule,
  dir: Direction,
  current: AllowPlan,
  policy: Policy,
  inv: readonly Workload[],
): boolean {
  const dRemote = remote(d, dir);
  if (!dRemote.every((p) => p.kind === "ipList" || p.kind === "cidrs")) return false;
  if (!isAllPorts(d.services) && subtractPorts(current.services, d.services).ports.length > 0) {
    return false;
  }
  const dLocal = new Set(boundWorkloads(d, dir, inv).map((w) => w.name));
  if (!boundWorkloads(a, dir, inv).every((w) => dLocal.has(w.name))) return false;
  const dr = sideRanges(dRemote, d.scope, policy, inv);
  const selected = inv.filter((w) =>
    remote(a, dir).some(
      (p) => (p.kind === "workloads" || p.kind === "any") && peerSelects(p, a.scope, w),
    ),
  );
  return isEmpty(intersect(workloadRanges(selected), dr));
}
