// GET /api/v1/flows: the query's text filters -> the store's EdgeFilter -> wire edges.
// `label=k=v[,k=v]` means: either end is a workload carrying all of those labels; it is resolved
// to workload names against the inventory now and asked of the store as `either`.

import { type Labels, labelValue, type Workload } from "@microseg/core";
import { ApiError, type FlowEdgeWire, type FlowQueryWire } from "@microseg/protocol";
import type { EdgeFilter, StoredEdge } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { timeRange } from "./time-range.js";

export async function queryFlows(
  ctx: ControllerContext,
  q: FlowQueryWire,
): Promise<FlowEdgeWire[]> {
  const now = ctx.clock().getTime();
  const labelled =
    q.label === undefined ? undefined : namesWithLabels(ctx.hub.workloads(), parseLabels(q.label));
  if (labelled !== undefined && labelled.length === 0) return [];
  // workload and label together: the store takes the workload, the label is checked here.
  const both = q.workload !== undefined && labelled !== undefined;
  const either = q.workload !== undefined ? [q.workload] : labelled;
  const filter: EdgeFilter = {
    ...timeRange(q, now),
    ...(q.from !== undefined && { from: q.from }),
    ...(q.to !== undefined && { to: q.to }),
    ...(q.port !== undefined && { port: q.port.toLowerCase() }),
    ...(q.verdict !== undefined && { verdict: q.verdict }),
    ...(q.outcome !== undefined && { outcome: q.outcome }),
    ...(either !== undefined && { either }),
    ...(q.limit !== undefined && !both && { limit: q.limit }),
  };
  let edges = await ctx.store.flows.edges(filter);
  if (both) {
    const names = new Set(labelled);
    edges = edges.filter((e) => names.has(e.from) || names.has(e.to));
    if (q.limit !== undefined) edges = edges.slice(0, q.limit);
  }
  return edges.map(edgeWire);
}

/** `app=shop,env=prod` -> labels; 400 naming the part that is not key=value. */
export function parseLabels(text: string): Labels {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || key === "") {
      throw new ApiError(
        "MSEG_API_BAD_REQUEST",
        `label: "${part}" is not key=value; write e.g. label=app=shop,env=prod`,
      );
    }
    out[key] = part.slice(eq + 1).trim();
  }
  return out;
}

export function namesWithLabels(workloads: readonly Workload[], labels: Labels): string[] {
  const wanted = Object.entries(labels);
  return workloads
    .filter((w) => wanted.every(([k, v]) => labelValue(w.labels, k) === v))
    .map((w) => w.name);
}

export function edgeWire(e: StoredEdge): FlowEdgeWire {
  return {
    from: e.from,
    to: e.to,
    fromKind: e.fromKind,
    toKind: e.toKind,
    port: e.port,
    verdict: e.verdict,
    outcome: e.outcome,
    outcomes: { ...e.outcomes },
    count: e.count,
    packets: e.packets,
    bytes: e.bytes,
    firstSeen: new Date(e.firstSeen).toISOString(),
    lastSeen: new Date(e.lastSeen).toISOString(),
    ...(e.rule !== null && { rule: e.rule }),
  };
}
