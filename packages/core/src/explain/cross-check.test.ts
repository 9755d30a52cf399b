// explain() against a reference model written straight from the policy semantics (no sets, no
// reduce): for random estates and flows, every end's policy and deciding rule must agree.
import { describe, expect, it } from "vitest";
import { ipBlockRanges, parseAddress, rangesContain } from "../addr/index.js";
import type { Peer, Policy, Rule, Workload } from "../model.js";
import { matchSelector } from "../selector.js";
import { pickOne, prng, randomPolicy, randomWorkloads } from "../testing/random.js";
import { explain } from "./explain.js";

interface Flow {
  src: Workload;
  dst: Workload;
  a: string;
  b: string;
  port: number;
  proto: "tcp" | "udp";
}

function inCidrs(addr: string, include: readonly string[], except: readonly string[]) {
  const a = parseAddress(addr);
  const r = ipBlockRanges(include, except);
  return a !== undefined && rangesContain(a.family === 4 ? r.v4 : r.v6, a.value);
}

/**
 * Does a peer cover the remote end (a workload at address addr)? A quarantined workload is
 * selected by nothing; an unscoped `any` and CIDRs are addresses, so they still cover it.
 */
function covers(p: Peer, rule: Rule, policy: Policy, w: Workload, addr: string): boolean {
  const scoped = rule.scope === undefined || matchSelector(rule.scope, w.labels);
  const selectable = w.quarantine === undefined;
  switch (p.kind) {
    case "any":
      return rule.scope === undefined || (scoped && selectable);
    case "workloads": {
      if (!selectable) return false;
      const ns =
        p.namespaceSelector === undefined ||
        (w.namespace !== undefined && matchSelector(p.namespaceSelector, w.namespaceLabels ?? {}));
      return scoped && ns && matchSelector(p.selector, w.labels);
    }
    case "cidrs":
      return inCidrs(addr, p.include, p.except);
    case "ipList": {
      const l = policy.ipLists[p.name];
      return l !== undefined && inCidrs(addr, l.include, l.except);
    }
  }
}

/** Is `self` selected by label (ipList/cidrs never make a workload an enforcing end)? */
function selects(peers: readonly Peer[], rule: Rule, self: Workload): boolean {
  return peers.some(
    (p) => (p.kind === "any" || p.kind === "workloads") && covers(p, rule, EMPTY, self, ""),
  );
}
const EMPTY: Policy = { rules: [], ipLists: {}, isolation: [] };

/**
 * Named ports resolve through the provider's namedPorts; at the source only for a provider the
 * rule selects by label (an address match does not resolve names).
 */
function servicesMatch(rule: Rule, provider: Workload, f: Flow, namedOk: boolean): boolean {
  if (rule.services.length === 0) return true;
  return rule.services.some((s) => {
    if (s.proto === "any") return true;
    if (s.proto !== f.proto) return false;
    if ("named" in s) {
      const np = provider.namedPorts?.[s.named];
      return namedOk && np !== undefined && np.proto === s.proto && np.from === f.port;
    }
    return "from" in s && f.port >= s.from && f.port <= s.to;
  });
}

function reference(policy: Policy, f: Flow, at: "source" | "destination") {
  const self = at === "source" ? f.src : f.dst;
  const remote = at === "source" ? f.dst : f.src;
  const remoteAddr = at === "source" ? f.b : f.a;
  // Quarantined: deny-all both ways but the forensic addresses, no rule involved.
  if (self.quarantine !== undefined) {
    const forensic = self.quarantine.forensic.includes(remoteAddr);
    return { policy: forensic ? "allow" : "deny", rule: undefined };
  }
  const tiers = ["override-deny", "allow", "deny"];
  const ordered = policy.rules
    .map((r, i) => ({ r, i }))
    .sort((x, y) => tiers.indexOf(x.r.action) - tiers.indexOf(y.r.action) || x.i - y.i);
  for (const { r } of ordered) {
    const [own, other] = at === "source" ? [r.from, r.to] : [r.to, r.from];
    // Rule.enforce: a provider-only rule says nothing at the source, a consumer-only one nothing
    // at the destination.
    if (r.enforce === (at === "source" ? "provider" : "consumer")) continue;
    if (!selects(own, r, self)) continue;
    if (!other.some((p) => covers(p, r, policy, remote, remoteAddr))) continue;
    // Named ports resolve at the source only through a provider the rule selects by label, and
    // never through a quarantined one.
    const namedOk =
      at === "destination" ||
      (f.dst.quarantine === undefined &&
        r.to.some(
          (p) => p.kind !== "cidrs" && p.kind !== "ipList" && covers(p, r, policy, f.dst, f.b),
        ));
    if (!servicesMatch(r, f.dst, f, namedOk)) continue;
    // An allow that still admits a quarantined remote (by its address) is preceded by a deny of
    // exactly that: the quarantine holds at the peers too.
    if (r.action === "allow" && remote.quarantine !== undefined) {
      return { policy: "deny", rule: "quarantine" };
    }
    return { policy: r.action === "allow" ? "allow" : "deny", rule: r.id };
  }
  const dir = at === "source" ? "outbound" : "inbound";
  const isolated =
    self.namespace === undefined ||
    policy.isolation.some(
      (i) => i.directions.includes(dir) && matchSelector(i.selector, self.labels),
    );
  return { policy: isolated ? "deny" : "allow", rule: undefined };
}

describe("explain agrees with a reference model of the semantics", () => {
  it("for random estates and flows", () => {
    let checked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const policy = randomPolicy(rnd, 12);
      // Unique addresses, so an address names exactly one workload.
      const seen = new Set<string>();
      const unique = randomWorkloads(rnd, 25).filter((w) => {
        if (w.addresses.length === 0 || w.addresses.some((a) => seen.has(a))) return false;
        for (const a of w.addresses) seen.add(a);
        return true;
      });
      // Some quarantined, some of those with another workload's address as forensic host.
      const workloads = unique.map((w): Workload => {
        if (rnd() >= 0.15) return w;
        const forensic = rnd() < 0.5 ? [] : [...pickOne(rnd, unique).addresses];
        return { ...w, quarantine: { forensic } };
      });
      for (let k = 0; k < 30; k++) {
        const src = pickOne(rnd, workloads);
        const dst = pickOne(rnd, workloads);
        const fam = (a: string) => (a.includes(":") ? 6 : 4);
        const b = pickOne(rnd, dst.addresses);
        const a = src.addresses.find((x) => fam(x) === fam(b));
        if (a === undefined) continue;
        const proto = rnd() < 0.8 ? "tcp" : "udp";
        const port = pickOne(rnd, [22, 53, 80, 81, 443, 5432, 8080, 8081]);
        const f: Flow = { src, dst, a, b, port, proto };
        const d = explain(policy, workloads, {
          from: { address: a },
          to: { address: b },
          port: `${proto}/${port}`,
        });
        for (const step of d.steps) {
          const want = reference(policy, f, step.at);
          expect({ policy: step.policy, rule: step.rule?.id }, `seed ${seed} ${step.at}`).toEqual(
            want,
          );
        }
        expect(d.steps.length).toBe([src, dst].filter((w) => w.managed).length);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(800);
  });
});
