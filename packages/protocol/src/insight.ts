// Learning from traffic, v1: what the admin API answers about the flow graph's analyses.
//
//   GET  /api/v1/insight/labels            application groups and label suggestions
//   POST /api/v1/insight/labels/accept     apply suggestions to a workload (audited)
//   GET  /api/v1/insight/recommend         least-privilege policy draft learned from flows
//   POST /api/v1/policy/replay             recorded flows judged by the active policy and a draft
//   GET  /api/v1/flows/explain             one recorded flow explained under the revision of its time
//   GET  /api/v1/insight/blast-radius      what an attacker on a workload reaches in k hops
//
// `since`/`until` take an ISO time or a duration back from now (`15m`, `24h`, `7d`), as the flow
// queries do.

import { z } from "zod";
import { DraftSchema, WorkloadChangeSchema } from "./admin.js";
import { LabelsSchema } from "./common.js";
import { FlowEdgeSchema } from "./flows.js";

const TimeText = z.string().max(64);
const Bool = z.enum(["true", "false"]).transform((v) => v === "true");

// ── discovery and label suggestions ──────────────────────────────────────────────────────────

export const SuggestionsQuerySchema = z.object({
  since: TimeText.optional(),
  until: TimeText.optional(),
  seed: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

export const LabelSuggestionSchema = z.object({
  workload: z.string(),
  key: z.enum(["app", "role"]),
  value: z.string(),
  /** 0..1 */
  confidence: z.number(),
  evidence: z.array(z.string()),
  group: z.string(),
});
export type LabelSuggestionWire = z.infer<typeof LabelSuggestionSchema>;

export const ApplicationGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(z.string()),
  tiers: z.array(
    z.object({
      role: z.string().optional(),
      services: z.array(z.string()),
      members: z.array(z.string()),
    }),
  ),
  evidence: z.object({
    internalPairs: z.number().int(),
    externalPairs: z.number().int(),
    internalConnections: z.number().int(),
    externalConnections: z.number().int(),
    appLabels: z.record(z.string(), z.number().int()),
  }),
});

export const SuggestionsSchema = z.object({
  /** The flow edges the analysis read. */
  edges: z.number().int(),
  groups: z.array(ApplicationGroupSchema),
  suggestions: z.array(LabelSuggestionSchema),
  modularity: z.number(),
});
export type SuggestionsWire = z.infer<typeof SuggestionsSchema>;

/** Either the given labels, or every current suggestion for the workload (`all`). */
export const AcceptLabelsSchema = z
  .object({
    workload: z.string().min(1).max(253),
    labels: LabelsSchema.optional(),
    all: z.boolean().optional(),
  })
  .refine((b) => (b.labels !== undefined) !== (b.all === true), {
    message: "give either labels {key: value} or all: true",
    path: ["labels"],
  });
export type AcceptLabels = z.input<typeof AcceptLabelsSchema>;

export const AcceptedLabelsSchema = WorkloadChangeSchema.extend({
  accepted: z.array(z.object({ key: z.string(), value: z.string() })),
});

// ── recommendation ───────────────────────────────────────────────────────────────────────────

export const RecommendQuerySchema = z.object({
  since: TimeText.optional(),
  until: TimeText.optional(),
  /** true: also save the YAML as the draft (audited, like PUT /policy/draft). */
  save: Bool.optional(),
});

const EdgeRefSchema = z.object({
  from: z.string(),
  to: z.string(),
  port: z.string(),
  verdict: z.enum(["allowed", "blocked", "would-block"]),
  count: z.number().int(),
});

export const RecommendedRuleSchema = z.object({
  name: z.string(),
  /** `{app=shop,role=web}` or `ipList shop-web-clients`. */
  from: z.string(),
  to: z.string(),
  services: z.array(z.string()),
  connections: z.number().int(),
  learnedFrom: z.array(EdgeRefSchema),
  /** Workloads the rule admits that were not observed on its side. */
  admits: z.object({ consumers: z.array(z.string()), providers: z.array(z.string()) }),
});

export const RecommendationSchema = z.object({
  yaml: z.string(),
  rules: z.array(RecommendedRuleSchema),
  ipLists: z.array(z.object({ name: z.string(), cidrs: z.array(z.string()) })),
  coverage: z.object({
    edges: z.number().int(),
    coveredEdges: z.number().int(),
    connections: z.number().int(),
    coveredConnections: z.number().int(),
    percent: z.number(),
    uncovered: z.array(EdgeRefSchema.extend({ reason: z.string() })),
  }),
  /** Edges not learned from: the sum of `leftOut`. */
  ignored: z.number().int(),
  /**
   * Edges not learned from, by the first reason that applies: blocked by the ruleset, refused
   * (reset / ICMP error), unanswered, from a declared scanner, or from a source held back by an
   * open scan / lateral-movement / ransomware-spread / decoy alert (learned once acknowledged).
   */
  leftOut: z.object({
    blocked: z.number().int(),
    refused: z.number().int(),
    unanswered: z.number().int(),
    scanner: z.number().int(),
    heldBack: z.number().int(),
  }),
  /** The held-back sources: the open alerts holding each back and its edges left out. */
  heldBack: z.array(
    z.object({ source: z.string(), alerts: z.array(z.string()), edges: z.number().int() }),
  ),
  /** The saved draft when `save=true`, else null. */
  saved: DraftSchema.nullable(),
});
export type RecommendationWire = z.infer<typeof RecommendationSchema>;

// ── replay ───────────────────────────────────────────────────────────────────────────────────

export const ReplayRequestSchema = z.object({
  since: TimeText.default("7d"),
  until: TimeText.optional(),
  /** Policy text to judge; default: the saved draft. */
  draft: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
  /** The label that names applications in `byApplication` (default app). */
  groupBy: z.string().max(253).optional(),
});
export type ReplayRequest = z.input<typeof ReplayRequestSchema>;

const JudgementSchema = z.object({
  policy: z.enum(["allow", "deny"]),
  rules: z.array(z.string()),
  verdict: z.enum(["allowed", "blocked", "would-block"]),
});

const ReplayGroupSchema = z.object({
  key: z.string(),
  edges: z.number().int(),
  connections: z.number().int(),
});

const ReplayChangeSchema = z.object({
  edges: z.number().int(),
  connections: z.number().int(),
  list: z.array(z.object({ edge: EdgeRefSchema, before: JudgementSchema, after: JudgementSchema })),
  byRule: z.array(ReplayGroupSchema),
  byDenyingRule: z.array(ReplayGroupSchema),
  byApplication: z.array(ReplayGroupSchema),
});

export const ReplayReportSchema = z.object({
  /** The active revision judged against (null: none, an empty policy). */
  active: z.number().int().nullable(),
  draft: z.enum(["saved", "given"]),
  since: z.string(),
  until: z.string(),
  edges: z.number().int(),
  connections: z.number().int(),
  newlyBlocked: ReplayChangeSchema,
  newlyAllowed: ReplayChangeSchema,
  unchanged: z.object({ edges: z.number().int(), connections: z.number().int() }),
  unevaluated: z.array(z.object({ edge: EdgeRefSchema, reason: z.string() })),
});
export type ReplayReportWire = z.infer<typeof ReplayReportSchema>;

// ── explain a recorded flow ──────────────────────────────────────────────────────────────────

export const FlowExplainQuerySchema = z.object({
  from: z.string().min(1).max(253),
  to: z.string().min(1).max(253),
  port: z.string().min(1).max(32),
  /** Judge under the revision active at this time (default: now). */
  at: TimeText.optional(),
});

export const ExplainStepSchema = z.object({
  at: z.enum(["source", "destination"]),
  workload: z.string(),
  direction: z.enum(["inbound", "outbound"]),
  mode: z.enum(["learn", "test", "enforce"]),
  policy: z.enum(["allow", "deny"]),
  rule: z
    .object({
      id: z.string(),
      action: z.enum(["override-deny", "allow", "deny"]),
      source: z.object({ file: z.string().optional(), path: z.string() }),
    })
    .optional(),
  reason: z.string(),
  matchedLabels: z.record(z.string(), z.string()).optional(),
});

export const DecisionSchema = z.object({
  verdict: z.enum(["allowed", "blocked", "would-block"]),
  policy: z.enum(["allow", "deny"]),
  steps: z.array(ExplainStepSchema),
});

export const FlowExplainSchema = z.object({
  query: z.object({ from: z.string(), to: z.string(), port: z.string(), at: z.string() }),
  /** The revision active at `at` (null: none was; the empty policy decided). */
  revision: z.number().int().nullable(),
  decision: DecisionSchema,
  /** What the flow graph recorded for this flow up to `at`. */
  recorded: z.array(FlowEdgeSchema),
});
export type FlowExplainWire = z.infer<typeof FlowExplainSchema>;

// ── blast radius ─────────────────────────────────────────────────────────────────────────────

export const BlastRadiusQuerySchema = z.object({
  workload: z.string().min(1).max(253),
  hops: z.coerce.number().int().min(1).max(10).default(3),
  /** true: under the saved draft (and compare with the active policy). */
  draft: Bool.optional(),
});

export const EstateExposureSchema = z.object({
  hops: z.number().int(),
  workloads: z.number().int(),
  reachablePairs: z.number().int(),
  directPairs: z.number().int(),
  mean: z.number(),
  max: z.number().int(),
  worst: z.array(z.string()),
});

export const BlastRadiusSchema = z.object({
  workload: z.string(),
  hops: z.number().int(),
  policy: z.enum(["active", "draft"]),
  reachable: z.array(
    z.object({
      workload: z.string(),
      hops: z.number().int(),
      path: z.array(z.string()),
      via: z.array(z.object({ from: z.string(), to: z.string(), services: z.array(z.string()) })),
    }),
  ),
  perHop: z.array(z.number().int()),
  /** Estate-wide exposure under the active policy and, with draft=true, under the draft. */
  estate: z.object({ active: EstateExposureSchema, draft: EstateExposureSchema.optional() }),
});
export type BlastRadiusWire = z.infer<typeof BlastRadiusSchema>;
