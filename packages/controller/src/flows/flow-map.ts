// GET /api/v1/map: the flow graph drawn at workload level, or with workloads grouped by one
// label's value. Every workload of the inventory is a node (also when it has no flow yet, so a
// silent workload shows); peers no workload owns are address nodes. Edges between the same two
// nodes on the same port and verdict are merged (counts summed, newest lastSeen; the outcome is
// established when any merged edge's is, else refused when any is, else unanswered).

import { labelValue, type Workload } from "@microseg/core";
import type { MapEdgeWire, MapNodeWire, MapQueryWire, MapWire } from "@microseg/protocol";
import {
  type EdgeOutcome,
  type EdgeOutcomes,
  MAX_EDGE_COUNTER,
  type StoredEdge,
} from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { timeRange } from "./time-range.js";

export async function flowMap(ctx: ControllerContext, q: MapQueryWire): Promise<MapWire> {
  const now = ctx.clock().getTime();
  const edges = await ctx.store.flows.edges({
    ...timeRange(q, now),
    ...(q.verdict !== undefined && { verdict: q.verdict }),
  });
  const nodes = new MapNodes(ctx.hub.workloads(), q.groupBy);
  const merged = new Map<string, { edge: MapEdgeWire; last: number }>();
  for (const e of edges) {
    const from = nodes.idOf(e.from, e.fromKind);
    const to = nodes.idOf(e.to, e.toKind);
    const key = [from, to, e.port, e.verdict].join("\u0000");
    const m = merged.get(key);
    if (m === undefined) {
      merged.set(key, { edge: mapEdge(from, to, e), last: e.lastSeen });
      continue;
    }
    const last = Math.max(m.last, e.lastSeen);
    merged.set(key, {
      edge: {
        ...m.edge,
        outcome: eitherOutcome(m.edge.outcome, e.outcome),
        outcomes: sumOutcomes(m.edge.outcomes, e.outcomes),
        count: sum(m.edge.count, e.count),
        lastSeen: new Date(last).toISOString(),
      },
      last,
    });
  }
  const list = [...merged.values()].map((m) => m.edge).sort(byEnds);
  return { nodes: nodes.list(), edges: list };
}

function mapEdge(from: string, to: string, e: StoredEdge): MapEdgeWire {
  const lastSeen = new Date(e.lastSeen).toISOString();
  const { port, verdict, outcome, count } = e;
  return { from, to, port, verdict, outcome, outcomes: { ...e.outcomes }, count, lastSeen };
}

/** Saturates like the store's sums, so the answer's counts stay exact integers. */
const sum = (a: number, b: number) => Math.min(a + b, MAX_EDGE_COUNTER);

function sumOutcomes(a: EdgeOutcomes, b: EdgeOutcomes): EdgeOutcomes {
  return {
    established: sum(a.established, b.established),
    refused: sum(a.refused, b.refused),
    unanswered: sum(a.unanswered, b.unanswered),
  };
}

const OUTCOME_RANK: Record<EdgeOutcome, number> = { established: 0, refused: 1, unanswered: 2 };
/** Of two merged edges: established if either is, else refused if either is, else unanswered. */
const eitherOutcome = (a: EdgeOutcome, b: EdgeOutcome) =>
  OUTCOME_RANK[a] <= OUTCOME_RANK[b] ? a : b;

class MapNodes {
  private readonly nodes = new Map<string, MapNodeWire>();
  private readonly nodeOfWorkload = new Map<string, string>();

  constructor(workloads: readonly Workload[], groupBy: string | undefined) {
    for (const w of [...workloads].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const value = groupBy === undefined ? undefined : labelValue(w.labels, groupBy);
      if (groupBy === undefined || value === undefined) {
        this.add({
          id: w.name,
          kind: "workload",
          label: w.name,
          labels: { ...w.labels },
          mode: w.mode,
        });
        this.nodeOfWorkload.set(w.name, w.name);
        continue;
      }
      const id = `${groupBy}=${value}`;
      const group =
        this.nodes.get(id) ??
        this.add({
          id,
          kind: "group",
          label: value,
          labels: { [groupBy]: value },
          members: [],
        });
      group.members?.push(w.name);
      this.nodeOfWorkload.set(w.name, id);
    }
  }

  /** The node an edge end belongs to; ends the inventory no longer knows get a node of their own. */
  idOf(name: string, kind: "workload" | "address"): string {
    if (kind === "workload") {
      const id = this.nodeOfWorkload.get(name);
      if (id !== undefined) return id;
      if (!this.nodes.has(name)) this.add({ id: name, kind: "workload", label: name });
      return name;
    }
    if (!this.nodes.has(name)) this.add({ id: name, kind: "address", label: name });
    return name;
  }

  list(): MapNodeWire[] {
    return [...this.nodes.values()];
  }

  private add(node: MapNodeWire): MapNodeWire {
    this.nodes.set(node.id, node);
    return node;
  }
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byEnds = (a: MapEdgeWire, b: MapEdgeWire) =>
  text(a.from, b.from) || text(a.to, b.to) || text(a.port, b.port) || text(a.verdict, b.verdict);
