// Conversions between the store's flow edges, insight's analyses and the protocol's insight
// answers (times as ISO strings, peers as text).

import type { FlowEdge, ProposedPeer, Recommendation, ReplayReport } from "@microseg/insight";
import type { StoredEdge } from "@microseg/store";

export function flowEdge(e: StoredEdge): FlowEdge {
  return {
    from: { name: e.from, kind: e.fromKind },
    to: { name: e.to, kind: e.toKind },
    port: e.port,
    verdict: e.verdict,
    ...(e.outcome !== undefined && { outcome: e.outcome }),
    count: e.count,
    packets: e.packets,
    bytes: e.bytes,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    ...(e.rule !== null && { rule: e.rule }),
  };
}

export function edgeRef(e: FlowEdge) {
  return { from: e.from.name, to: e.to.name, port: e.port, verdict: e.verdict, count: e.count };
}

export function peerText(p: ProposedPeer): string {
  if (p.kind === "ipList") return `ipList ${p.name}`;
  return `{${Object.entries(p.identity)
    .map(([k, v]) => `${k}=${v}`)
    .join(",")}}`;
}

export function recommendationWire(r: Recommendation) {
  return {
    yaml: r.yaml,
    rules: r.rules.map((rule) => ({
      name: rule.name,
      from: peerText(rule.from),
      to: peerText(rule.to),
      services: [...rule.services],
      connections: rule.connections,
      learnedFrom: rule.edges.map(edgeRef),
      admits: { consumers: [...rule.admits.consumers], providers: [...rule.admits.providers] },
    })),
    ipLists: r.ipLists.map((l) => ({ name: l.name, cidrs: [...l.cidrs] })),
    coverage: {
      ...r.coverage,
      uncovered: r.coverage.uncovered.map((u) => ({ ...edgeRef(u.edge), reason: u.reason })),
    },
    ignored: r.ignored,
    leftOut: { ...r.leftOut },
    heldBack: r.heldBack.map((h) => ({ ...h, alerts: [...h.alerts] })),
  };
}

export function replayWire(r: ReplayReport) {
  const change = (c: ReplayReport["newlyBlocked"]) => ({
    edges: c.edges,
    connections: c.connections,
    list: c.list.map((x) => ({ edge: edgeRef(x.edge), before: x.before, after: x.after })),
    byRule: [...c.byRule],
    byDenyingRule: [...c.byDenyingRule],
    byApplication: [...c.byApplication],
  });
  return {
    edges: r.edges,
    connections: r.connections,
    newlyBlocked: change(r.newlyBlocked),
    newlyAllowed: change(r.newlyAllowed),
    unchanged: r.unchanged,
    unevaluated: r.unevaluated.map((u) => ({ edge: edgeRef(u.edge), reason: u.reason })),
  };
}
