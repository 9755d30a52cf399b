// A flow edge's ends as explain takes them: a workload by name, or a bare address (an address
// some workload owns resolves to that workload, as on the wire).

import type { ExplainContext, ResolvedEndpoint } from "@microseg/core";
import type { FlowEnd } from "../flow.js";

/** Throws a MicrosegError when a workload end is not in the context's inventory. */
export function flowEndpoint(ctx: ExplainContext, end: FlowEnd): ResolvedEndpoint {
  return ctx.endpoint(end.kind === "workload" ? { workload: end.name } : { address: end.name });
}

/** A stable sort key for an edge: from, to, port, verdict. */
export function edgeKey(e: { from: FlowEnd; to: FlowEnd; port: string; verdict: string }): string {
  return `${e.from.name}\u0000${e.to.name}\u0000${e.port}\u0000${e.verdict}`;
}

export function byEdgeKey<T extends Parameters<typeof edgeKey>[0]>(a: T, b: T): number {
  const ka = edgeKey(a);
  const kb = edgeKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
