// Label suggestions for workloads missing `app` or `role`, each with a confidence in [0, 1] and
// the evidence behind it.
//
//   app   the value most labelled members of its community carry;
//         confidence = agreement x support x cohesion, where agreement is the share of labelled
//         members with that value, support = labelled / (labelled + 1) (one witness is weak),
//         cohesion = the share of the workload's own traffic that stays inside the community.
//   role  first from workloads serving the same distinctive ports (same listening services ->
//         same role): agreement x support as above; else from well-known ports (5432 -> db):
//         0.8 x the share of its received connections on ports of that role.

import type { Workload } from "@microseg/core";
import { roleFromPorts, type Served, signature } from "./served.js";

export interface LabelSuggestion {
  readonly workload: string;
  readonly key: "app" | "role";
  readonly value: string;
  /** 0..1, two decimals. */
  readonly confidence: number;
  /** Sentences a reviewer reads: what the suggestion rests on. */
  readonly evidence: readonly string[];
  /** The application group the workload was placed in. */
  readonly group: string;
}

export interface SuggestContext {
  readonly workloads: readonly Workload[];
  readonly groupOf: ReadonlyMap<string, { id: string; members: readonly string[] }>;
  /** workload -> [weight inside its group, total weight]. */
  readonly cohesion: ReadonlyMap<string, readonly [number, number]>;
  readonly served: Served;
}

export function suggestLabels(ctx: SuggestContext): LabelSuggestion[] {
  const byName = new Map(ctx.workloads.map((w) => [w.name, w]));
  const roled = labelledBySignature(ctx);
  const out: LabelSuggestion[] = [];
  for (const w of [...ctx.workloads].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const group = ctx.groupOf.get(w.name);
    if (group === undefined) continue;
    if (w.labels.app === undefined) {
      const s = suggestApp(w, group, byName, ctx);
      if (s !== undefined) out.push(s);
    }
    if (w.labels.role === undefined) {
      const s = suggestRole(w, group.id, ctx, roled);
      if (s !== undefined) out.push(s);
    }
  }
  return out;
}

function suggestApp(
  w: Workload,
  group: { id: string; members: readonly string[] },
  byName: Map<string, Workload>,
  ctx: SuggestContext,
): LabelSuggestion | undefined {
  const values = group.members
    .filter((m) => m !== w.name)
    .map((m) => byName.get(m)?.labels.app)
    .filter((v): v is string => v !== undefined);
  const top = majority(values);
  if (top === undefined) return undefined;
  const [inside, total] = ctx.cohesion.get(w.name) ?? [0, 0];
  if (total === 0) return undefined;
  const cohesion = inside / total;
  const confidence = round((top.votes / values.length) * support(values.length) * cohesion);
  return {
    workload: w.name,
    key: "app",
    value: top.value,
    confidence,
    group: group.id,
    evidence: [
      `${top.votes} of ${values.length} labelled members of ${group.id} carry app=${top.value}`,
      `${Math.round(cohesion * 100)}% of its traffic stays inside ${group.id}`,
    ],
  };
}

/** Workloads that carry a role, by the signature of what they serve (`tcp/5432,tcp/6432`). */
function labelledBySignature(ctx: SuggestContext): Map<string, Workload[]> {
  const out = new Map<string, Workload[]>();
  for (const w of ctx.workloads) {
    if (w.labels.role === undefined) continue;
    const key = signature(ctx.served, w.name).join(",");
    if (key === "") continue;
    out.set(key, [...(out.get(key) ?? []), w]);
  }
  return out;
}

function suggestRole(
  w: Workload,
  group: string,
  ctx: SuggestContext,
  roled: Map<string, Workload[]>,
): LabelSuggestion | undefined {
  const sig = signature(ctx.served, w.name);
  if (sig.length > 0) {
    const peers = roled.get(sig.join(",")) ?? [];
    const top = majority(peers.map((o) => o.labels.role as string));
    if (top !== undefined) {
      const witnesses = peers
        .filter((o) => o.labels.role === top.value)
        .map((o) => o.name)
        .sort();
      return {
        workload: w.name,
        key: "role",
        value: top.value,
        confidence: round((top.votes / peers.length) * support(peers.length)),
        group,
        evidence: [
          `serves ${sig.join(", ")} like ${list(witnesses)} (role=${top.value})`,
          `${top.votes} of ${peers.length} labelled workloads serving exactly these carry role=${top.value}`,
        ],
      };
    }
  }
  const byPort = roleFromPorts(ctx.served, w.name);
  if (byPort === undefined) return undefined;
  return {
    workload: w.name,
    key: "role",
    value: byPort.role,
    confidence: round(0.8 * byPort.share),
    group,
    evidence: [
      `serves ${byPort.ports.join(", ")}, the usual ports of a ${byPort.role}`,
      `${Math.round(byPort.share * 100)}% of the connections it receives are on them`,
    ],
  };
}

/** The most frequent value (ties: the smallest), with its count. */
function majority(values: readonly string[]): { value: string; votes: number } | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return best === undefined ? undefined : { value: best[0], votes: best[1] };
}

function support(witnesses: number): number {
  return witnesses / (witnesses + 1);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function list(names: readonly string[]): string {
  return names.length <= 3
    ? names.join(", ")
    : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
}
