// Learning from traffic at the controller: the flow graph (store) and today's inventory and
// policy (hub) handed to @microseg/insight's pure analyses, answers shaped for the protocol.
//
//   GET  insight/labels          discoverApplications(edges, inventory, learning filter)
//   POST insight/labels/accept   suggestion -> patchWorkload (audited, recompiled by the hub)
//   GET  insight/recommend       recommend(edges, learning filter) -> YAML [-> putDraft]
//   POST policy/replay           replay(active, draft, inventory, edges)      in a policy worker
//   GET  flows/explain           explain under the revision active at `at`, with the inventory
//                                of then (inventory-at.ts)
//   GET  insight/blast-radius    buildReachGraph(policy) -> blastRadius,      in a policy worker
//                                estateExposure
//
// Learning leaves out declared scanners (label microseg.io/scanner, the active policy's
// `scanners` IP list) and sources held back by an open (unacknowledged) scan, lateral-movement,
// ransomware-spread or decoy alert: acknowledging the alert lets their traffic be learned.
//
// Replay and blast radius take a draft (a text in the request, or the saved one) and cost in
// proportion to it, so they run in a policy worker within the compile budgets
// (compile-worker/insight-jobs.ts).
import { isIP } from "node:net";
import {
  EMPTY_POLICY,
  type Endpoint,
  explain,
  MicrosegError,
  type Policy,
  type Workload,
} from "@microseg/core";
import {
  discoverApplications,
  type LearningFilter,
  recommend,
  Scanners,
  SUSPECT_KINDS,
} from "@microseg/insight";
import {
  type AcceptLabelsSchema,
  ApiError,
  type BlastRadiusQuerySchema,
  type FlowExplainQuerySchema,
  type RecommendQuerySchema,
  type ReplayRequestSchema,
  type SuggestionsQuerySchema,
} from "@microseg/protocol";
import type { z } from "zod";
import { withDeclared } from "../compile-worker/inventory.js";
import type { ControllerContext } from "../context.js";
import { edgeWire } from "../flows/flow-query.js";
import { parseTimeParam, timeRange } from "../flows/time-range.js";
import { flowEdge, recommendationWire } from "./insight-wire.js";
import { inventoryAt } from "./inventory-at.js";
import { getDraft, putDraft } from "./policy-draft.js";
import { draftSource, hubRevision } from "./policy-text.js";
import { patchWorkload } from "./workloads.js";

type Q<S extends z.ZodType> = z.output<S>;

/** Flow edges over the range (default: everything retained), with the range as ISO text. */
async function recordedEdges(ctx: ControllerContext, q: { since?: string; until?: string }) {
  const now = ctx.clock().getTime();
  const range = timeRange(q, now);
  const edges = (await ctx.store.flows.edges(range)).map(flowEdge);
  const since = range.since ?? Math.min(now, ...edges.map((e) => e.firstSeen));
  const until = range.until ?? now;
  return {
    edges,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
  };
}

/** What learning leaves out besides failed traffic: declared scanners and held-back sources. */
async function learningFilter(ctx: ControllerContext): Promise<Required<LearningFilter>> {
  const kinds = new Set<string>(SUSPECT_KINDS);
  const heldBack = new Map<string, string[]>();
  for (const a of await ctx.store.alerts.list({ status: "open" })) {
    if (!kinds.has(a.kind)) continue;
    const ids = heldBack.get(a.source) ?? [];
    ids.push(a.id);
    heldBack.set(a.source, ids);
  }
  for (const ids of heldBack.values()) ids.sort();
  return { scanners: new Scanners(ctx.hub.workloads(), ctx.hub.activePolicy), heldBack };
}

export async function labelSuggestions(
  ctx: ControllerContext,
  q: Q<typeof SuggestionsQuerySchema>,
) {
  const { edges } = await recordedEdges(ctx, q);
  const found = discoverApplications({
    edges,
    workloads: ctx.hub.workloads(),
    ...(await learningFilter(ctx)),
    ...(q.seed !== undefined && { seed: q.seed }),
  });
  return { edges: edges.length, ...found };
}

export async function acceptLabels(
  ctx: ControllerContext,
  body: Q<typeof AcceptLabelsSchema>,
  actor: string,
) {
  let labels = body.labels;
  if (body.all === true) {
    const { suggestions } = await labelSuggestions(ctx, {});
    const mine = suggestions.filter((s) => s.workload === body.workload);
    if (mine.length === 0) {
      throw new ApiError(
        "MSEG_API_NOT_FOUND",
        `no label suggestion for workload "${body.workload}" (GET /api/v1/insight/labels lists them)`,
      );
    }
    labels = Object.fromEntries(mine.map((s) => [s.key, s.value]));
  }
  const accepted = Object.entries(labels ?? {}).map(([key, value]) => ({ key, value }));
  const out = await patchWorkload(ctx, body.workload, { labels: labels ?? {} }, actor);
  return { ...out, accepted };
}

export async function recommendPolicy(
  ctx: ControllerContext,
  q: Q<typeof RecommendQuerySchema>,
  actor: string,
) {
  const { edges, since, until } = await recordedEdges(ctx, q);
  const connections = edges.reduce((n, e) => n + e.count, 0);
  const rec = recommend({
    edges,
    workloads: ctx.hub.workloads(),
    ...(await learningFilter(ctx)),
    header: [
      `Learned by microseg from ${edges.length} flow edges (${connections} connections)`,
      `recorded between ${since} and ${until}. Review before provisioning.`,
    ],
  });
  if (rec.diagnostics.length > 0) {
    ctx.log.error({ diagnostics: rec.diagnostics }, "recommended policy does not load");
    throw new ApiError("MSEG_INTERNAL", "the recommended policy does not load; see the log");
  }
  const saved = q.save === true ? (await putDraft(ctx, rec.yaml, actor)).draft : null;
  return { ...recommendationWire(rec), saved };
}

export async function replayPolicy(ctx: ControllerContext, body: Q<typeof ReplayRequestSchema>) {
  // A draft given in the request is parsed in the worker; the saved one is its stored model.
  const draft = body.draft === undefined ? draftSource(await getDraft(ctx)) : { text: body.draft };
  const { edges, since, until } = await recordedEdges(ctx, body);
  const input = {
    draft,
    label: body.draft === undefined ? "the saved draft" : "the draft given",
    active: ctx.hub.activePolicy,
    workloads: ctx.hub.workloads(),
    edges,
    ...(body.groupBy !== undefined && { groupBy: body.groupBy }),
  };
  // Replay costs one explain per recorded edge and end, besides the draft itself: its budget is
  // the compile budget plus 1 ms per edge (a week of a 2,000-workload estate, 50,000 edges, takes
  // ~10 s: BENCHMARKS.md, "Insight").
  const budget = ctx.settings.compileTimeoutMs + edges.length;
  const report = await ctx.policyWorkers.run("replay", input, budget);
  return {
    active: ctx.hub.activeRevision,
    draft: body.draft === undefined ? ("saved" as const) : ("given" as const),
    since,
    until,
    ...report,
  };
}

export async function explainRecordedFlow(
  ctx: ControllerContext,
  q: Q<typeof FlowExplainQuerySchema>,
) {
  const now = ctx.clock().getTime();
  const at = q.at === undefined ? now : parseTimeParam("at", q.at, now);
  const { number, policy, declared } = await revisionAt(ctx, at);
  // The labels, modes, addresses and quarantines of then, not today's (audit log undone).
  const inventory =
    q.at === undefined ? ctx.hub.workloads() : (await inventoryAt(ctx, at)).workloads;
  const workloads = withDeclared(inventory, declared);
  const when = q.at === undefined ? undefined : new Date(at).toISOString();
  const query = {
    from: endpoint(q.from, "from", workloads, when),
    to: endpoint(q.to, "to", workloads, when),
    port: q.port.toLowerCase(),
  };
  let decision: ReturnType<typeof explain>;
  try {
    decision = explain(policy, workloads, query);
  } catch (err) {
    if (err instanceof MicrosegError) throw new ApiError("MSEG_API_BAD_REQUEST", err.message);
    throw err;
  }
  const recorded = await ctx.store.flows.edges({
    from: q.from,
    to: q.to,
    port: query.port,
    until: at + 1,
  });
  return {
    query: { from: q.from, to: q.to, port: query.port, at: new Date(at).toISOString() },
    revision: number,
    decision,
    recorded: recorded.map(edgeWire),
  };
}

/** The revision that was active at `at` (the newest created at or before it). */
async function revisionAt(ctx: ControllerContext, at: number) {
  let before: number | undefined;
  for (;;) {
    const page = await ctx.store.policy.history({ limit: 200, ...(before && { before }) });
    const hit = page.find((r) => Date.parse(r.createdAt) <= at);
    if (hit !== undefined) {
      const rev = await ctx.store.policy.revision(hit.number);
      if (rev !== undefined) return hubRevision(rev);
    }
    const last = page.at(-1);
    if (hit !== undefined || last === undefined || page.length < 200) break;
    before = last.number;
  }
  return { number: null, policy: EMPTY_POLICY as Policy, declared: [] as Workload[] };
}

function endpoint(
  text: string,
  field: string,
  workloads: readonly Workload[],
  at?: string,
): Endpoint {
  if (workloads.some((w) => w.name === text)) return { workload: text };
  if (isIP(text) !== 0) return { address: text };
  throw new ApiError(
    "MSEG_API_NOT_FOUND",
    at === undefined
      ? `${field}: "${text}" is neither a workload (GET /api/v1/workloads) nor an IP address`
      : `${field}: "${text}" was not a workload at ${at} (the audit log shows the inventory of then) nor is it an IP address`,
  );
}

export async function blastRadiusOf(ctx: ControllerContext, q: Q<typeof BlastRadiusQuerySchema>) {
  const input = {
    active: { policy: ctx.hub.activePolicy, workloads: ctx.hub.workloads() },
    ...(q.draft === true && { draft: draftSource(await getDraft(ctx)) }),
    workload: q.workload,
    hops: q.hops,
  };
  return ctx.policyWorkers.run("blast", input, ctx.settings.compileTimeoutMs);
}
