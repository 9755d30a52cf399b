// Application discovery: workloads grouped into applications by who talks to whom (Louvain
// communities), each group split into tiers by what its members serve (same listening services
// -> same role), with the evidence, and label suggestions for workloads missing app or role.
//
//   edges ──learnableEdges──> allowed / would-block, answered, not a scanner's, not held back
//   edges (workload <-> workload) ──detectCommunities──> groups
//   edges ──servedServices──> signatures ──> tiers, role suggestions
//   groups + labels ──suggestLabels──> app suggestions

import type { Workload } from "@microseg/core";
import type { FlowEdge } from "../flow.js";
import { type LearningFilter, learnableEdges } from "../learnable.js";
import { detectCommunities, pairWeights } from "./communities.js";
import { PORT_ROLES, type Served, servedServices, signature } from "./served.js";
import { type LabelSuggestion, suggestLabels } from "./suggest.js";

/** `scanners` and `heldBack` (LearningFilter) name sources whose traffic says nothing. */
export interface DiscoverInput extends LearningFilter {
  readonly edges: readonly FlowEdge[];
  readonly workloads: readonly Workload[];
  /** Louvain's RNG seed (default 1): the same seed and input give the same groups. */
  readonly seed?: number;
  /** Louvain's resolution (default 0.5): higher gives more, smaller groups. */
  readonly resolution?: number;
}

export interface Tier {
  /** The members' role label (majority), else the role their ports suggest, else absent. */
  readonly role?: string;
  /** The distinctive services its members serve (empty: clients only). */
  readonly services: readonly string[];
  readonly members: readonly string[];
}

export interface ApplicationGroup {
  readonly id: string;
  /** The `app` most members carry, else the id. */
  readonly name: string;
  readonly members: readonly string[];
  readonly tiers: readonly Tier[];
  readonly evidence: {
    /** Distinct workload pairs talking inside the group, and across its border. */
    readonly internalPairs: number;
    readonly externalPairs: number;
    readonly internalConnections: number;
    readonly externalConnections: number;
    /** `app` label values among members, with counts. */
    readonly appLabels: Readonly<Record<string, number>>;
  };
}

export interface Discovery {
  readonly groups: readonly ApplicationGroup[];
  readonly suggestions: readonly LabelSuggestion[];
  readonly modularity: number;
}

/**
 * Below 1, Louvain prefers fewer, larger communities: a tiered application is a chain
 * (lb -> web -> api -> db) that modularity at 1 likes to cut in the middle.
 */
export const DEFAULT_RESOLUTION = 0.5;

export function discoverApplications(input: DiscoverInput): Discovery {
  const names = new Set(input.workloads.map((w) => w.name));
  // A sweep of closed ports touches every workload: learned from, it would glue them together.
  const edges = learnableEdges(input.edges, input).learned.filter(
    (e) =>
      e.from.kind === "workload" &&
      e.to.kind === "workload" &&
      names.has(e.from.name) &&
      names.has(e.to.name),
  );
  const served = servedServices(edges, names.size);
  // Services nearly everyone serves (monitoring, ssh) say nothing about which application a
  // workload belongs to: they are left out of the community graph.
  const structural = edges.filter((e) => !served.ubiquitous.has(e.port));
  const found = detectCommunities([...names], structural, {
    seed: input.seed ?? 1,
    resolution: input.resolution ?? DEFAULT_RESOLUTION,
  });
  const byName = new Map(input.workloads.map((w) => [w.name, w]));
  const members: string[][] = Array.from({ length: found.count }, () => []);
  for (const [name, c] of found.community) members[c]?.push(name);
  const border = borders(found.community, found.count, edges);
  const groups = members.map((m, i) =>
    group(`group-${i + 1}`, m.sort(), byName, served, border[i] as Border),
  );
  const groupOf = new Map<string, ApplicationGroup>();
  for (const g of groups) for (const m of g.members) groupOf.set(m, g);
  const suggestions = suggestLabels({
    workloads: input.workloads,
    groupOf,
    cohesion: cohesion(edges, groupOf),
    served,
  });
  return { groups, suggestions, modularity: Math.round(found.modularity * 1000) / 1000 };
}

interface Border {
  internalPairs: number;
  externalPairs: number;
  internalConnections: number;
  externalConnections: number;
}

/** Per community: pairs and connections inside it and across its border, in one pass. */
function borders(
  community: ReadonlyMap<string, number>,
  count: number,
  edges: readonly FlowEdge[],
): Border[] {
  const out = Array.from({ length: count }, () => ({
    internalPairs: 0,
    externalPairs: 0,
    internalConnections: 0,
    externalConnections: 0,
  }));
  for (const e of edges) {
    const [a, b] = [community.get(e.from.name), community.get(e.to.name)];
    if (a === undefined || b === undefined) continue;
    if (a === b) (out[a] as Border).internalConnections += e.count;
    else {
      (out[a] as Border).externalConnections += e.count;
      (out[b] as Border).externalConnections += e.count;
    }
  }
  for (const [x, y] of pairWeights(edges, new Set(community.keys()))) {
    const [a, b] = [community.get(x) as number, community.get(y) as number];
    if (a === b) (out[a] as Border).internalPairs++;
    else {
      (out[a] as Border).externalPairs++;
      (out[b] as Border).externalPairs++;
    }
  }
  return out;
}

function group(
  id: string,
  members: readonly string[],
  byName: Map<string, Workload>,
  served: Served,
  border: Border,
): ApplicationGroup {
  const apps: Record<string, number> = {};
  for (const m of members) {
    const app = byName.get(m)?.labels.app;
    if (app !== undefined) apps[app] = (apps[app] ?? 0) + 1;
  }
  const topApp = Object.entries(apps).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return {
    id,
    name: topApp?.[0] ?? id,
    members,
    tiers: tiers(members, byName, served),
    evidence: { ...border, appLabels: apps },
  };
}

/** Members grouped by the distinctive services they serve; tiers in order of their services. */
function tiers(members: readonly string[], byName: Map<string, Workload>, served: Served): Tier[] {
  const bySig = new Map<string, string[]>();
  for (const m of members) {
    const key = signature(served, m).join(",");
    bySig.set(key, [...(bySig.get(key) ?? []), m]);
  }
  return [...bySig.entries()]
    .sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, ms]) => {
      const services = key === "" ? [] : key.split(",");
      const role = tierRole(ms, services, byName);
      return { ...(role !== undefined && { role }), services, members: ms };
    });
}

function tierRole(
  members: readonly string[],
  services: readonly string[],
  byName: Map<string, Workload>,
): string | undefined {
  const counts = new Map<string, number>();
  for (const m of members) {
    const r = byName.get(m)?.labels.role;
    if (r !== undefined) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const labelled = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  if (labelled !== undefined) return labelled[0];
  return services.map((s) => PORT_ROLES[s]).find((r) => r !== undefined);
}

/** workload -> [traffic weight inside its group, all its traffic weight]. */
function cohesion(edges: readonly FlowEdge[], groupOf: Map<string, ApplicationGroup>) {
  const out = new Map<string, [number, number]>();
  const add = (w: string, inside: boolean, n: number) => {
    const c = out.get(w) ?? [0, 0];
    out.set(w, [c[0] + (inside ? n : 0), c[1] + n]);
  };
  for (const e of edges) {
    const inside = groupOf.get(e.from.name) === groupOf.get(e.to.name);
    const n = Math.log2(1 + Math.max(1, e.count));
    add(e.from.name, inside, n);
    add(e.to.name, inside, n);
  }
  return out;
}
