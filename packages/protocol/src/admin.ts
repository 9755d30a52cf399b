// Admin API bodies, v1. Every route under /api/v1 (except the agent channel's) needs
// `Authorization: Bearer <token>`. Lists answer `{ <plural>: [...] }` so fields can be added
// beside them later. Errors answer ErrorBody (errors.ts).

import { z } from "zod";
import {
  IsoTime,
  IsoTimeInput,
  LabelChangesSchema,
  LabelsSchema,
  ModeSchema,
  WorkloadNameSchema,
  WorkloadRecordSchema,
  WorkloadSchema,
} from "./common.js";

// ── workloads ───────────────────────────────────────────────────────────────────────────────
/**
 * PUT /api/v1/workloads/:name — the name comes from the path (WorkloadNameSchema). An address
 * another workload holds answers 409 MSEG_API_CONFLICT naming the holder.
 */
export const WorkloadPutSchema = WorkloadSchema.omit({ name: true }).extend({
  mode: ModeSchema.default("enforce"),
  managed: z.boolean().default(true),
  addresses: WorkloadSchema.shape.addresses.default([]),
  labels: LabelsSchema.default({}),
});
export type WorkloadPut = z.input<typeof WorkloadPutSchema>;

/** PATCH /api/v1/workloads/:name — labels merge (null removes a key); mode replaces. */
export const WorkloadPatchSchema = z.object({
  labels: LabelChangesSchema.optional(),
  mode: ModeSchema.optional(),
});
export type WorkloadPatch = z.infer<typeof WorkloadPatchSchema>;

/**
 * GET /api/v1/workloads. Without `limit` every matching workload is answered (the original
 * answer); `total` counts every match so a client can page with limit/offset. `q`: part of the
 * name, an address, or a label's `key=value` (case-insensitive). `label`: `key=value` or `key`,
 * comma-separated, all must hold.
 */
export const WorkloadQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  q: z.string().max(253).optional(),
  label: z.string().max(1024).optional(),
});
export type WorkloadQuery = z.infer<typeof WorkloadQuerySchema>;

export const WorkloadListSchema = z.object({
  workloads: z.array(WorkloadRecordSchema),
  /** Every workload that matches the query (the page is `workloads`). */
  total: z.number().int().optional(),
});
export const WorkloadChangeSchema = z.object({
  workload: WorkloadRecordSchema,
  change: z.enum(["created", "updated", "unchanged"]),
});

// ── policy ──────────────────────────────────────────────────────────────────────────────────
/**
 * PUT /api/v1/policy/draft takes the policy as YAML text (Content-Type text/yaml,
 * application/yaml or text/plain), or JSON {text}. Invalid text answers 422 MSEG_POLICY_INVALID
 * with details.diagnostics and saves nothing.
 */
export const DraftPutJsonSchema = z.object({ text: z.string().max(4 * 1024 * 1024) });

export const PolicyDiagnosticSchema = z.object({
  code: z.string(),
  path: z.string(),
  line: z.number().int().optional(),
  file: z.string().optional(),
  message: z.string(),
});

export const DraftSchema = z.object({
  name: z.string(),
  text: z.string(),
  baseRevision: z.number().int().nullable(),
  updatedAt: IsoTime,
  updatedBy: z.string(),
});

/** One `tests:` assertion of the draft that does not hold (or cannot be evaluated). */
export const PolicyTestFailureSchema = z.object({
  path: z.string(),
  from: z.string(),
  to: z.string(),
  port: z.string(),
  expect: z.enum(["allow", "deny"]),
  /** What the draft decides; absent when the test could not be evaluated. */
  got: z.enum(["allow", "deny"]).optional(),
  error: z.string().optional(),
});

export const DraftSavedSchema = z.object({
  draft: DraftSchema,
  summary: z.object({
    rules: z.number().int(),
    ipLists: z.number().int(),
    workloads: z.number().int(),
  }),
  /**
   * The draft's `tests:` run against the draft on today's inventory. A failing test does not stop
   * the draft from being saved (it is a draft); review `failures` before provisioning.
   */
  tests: z
    .object({
      passed: z.number().int(),
      failed: z.number().int(),
      failures: z.array(PolicyTestFailureSchema),
    })
    .optional(),
});

export const RevisionSummarySchema = z.object({
  number: z.number().int(),
  author: z.string(),
  createdAt: IsoTime,
  comment: z.string(),
  hash: z.string(),
  rolledBackFrom: z.number().int().nullable(),
});
export const RevisionSchema = RevisionSummarySchema.extend({ text: z.string() });
export const HistorySchema = z.object({
  active: z.number().int().nullable(),
  revisions: z.array(RevisionSummarySchema),
});

export const RuleChangeSchema = z.object({
  id: z.string(),
  change: z.enum(["added", "removed", "changed"]),
});
export const RuleSetChangeSchema = z.object({
  workload: z.string(),
  change: z.enum(["added", "removed", "changed"]),
  before: z.string().nullable().describe("RuleSet hash under the active revision"),
  after: z.string().nullable().describe("RuleSet hash under the draft"),
  /** Entries (rule id, direction, action, peer addresses, ports) only one side has. */
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
/** GET /api/v1/policy/diff — the draft against the active revision, on today's inventory. */
export const PolicyDiffSchema = z.object({
  active: z.number().int().nullable(),
  identical: z.boolean(),
  rules: z.array(RuleChangeSchema),
  workloads: z.array(RuleSetChangeSchema),
});

export const ProvisionRequestSchema = z.object({
  comment: z.string().max(1000).default(""),
  /** Optimistic check: 409 MSEG_POLICY_STALE unless this is the active revision. */
  expectedActive: z.number().int().nullable().optional(),
});
export const RollbackRequestSchema = ProvisionRequestSchema.extend({
  to: z.number().int().positive(),
});
export const ProvisionResponseSchema = z.object({
  revision: RevisionSummarySchema,
  /** Agents whose RuleSet changed (their long-polls were answered). */
  pushed: z.number().int(),
  changedWorkloads: z.array(z.string()),
});

// ── enrolment profiles ──────────────────────────────────────────────────────────────────────
export const ProfileNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  message:
    "a profile name is 1-63 lowercase letters, digits, `.`, `_` or `-`, starting with a letter or digit",
});

/**
 * POST /api/v1/enrol-profiles. `labels` and `mode` are what a workload the key creates gets.
 * `workload` binds the key to that one workload: the agent becomes it whatever its hostname, and
 * may take it over when it exists without a live agent (keeping its labels and mode). Without
 * `workload` the key only creates new workloads. `expiresAt`: ISO-8601 with `Z` or an offset.
 */
export const ProfileCreateSchema = z.object({
  name: ProfileNameSchema,
  labels: LabelsSchema.default({}),
  mode: ModeSchema.default("enforce"),
  expiresAt: IsoTimeInput.nullable().optional(),
  maxUses: z.number().int().positive().nullable().optional(),
  workload: WorkloadNameSchema.nullable().optional(),
});
export type ProfileCreate = z.input<typeof ProfileCreateSchema>;

export const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: LabelsSchema,
  mode: ModeSchema,
  expiresAt: IsoTime.nullable(),
  maxUses: z.number().int().nullable(),
  /** The one workload this key enrols; null: the agent names a new one. */
  workload: z.string().nullable(),
  uses: z.number().int(),
  revoked: z.boolean(),
  createdAt: IsoTime,
});
/** The key is returned once, at creation; the controller keeps only its sha256. */
export const ProfileCreatedSchema = z.object({
  profile: ProfileSchema,
  key: z.string(),
  /** The one-line install (protocol/install.ts) for this controller as the request reached it. */
  install: z.string().optional(),
});
export const ProfileListSchema = z.object({ profiles: z.array(ProfileSchema) });

// ── agents ──────────────────────────────────────────────────────────────────────────────────
export const AgentViewSchema = z.object({
  id: z.string(),
  workload: z.string(),
  hostname: z.string(),
  profileId: z.string().nullable(),
  revoked: z.boolean(),
  enrolledAt: IsoTime,
  mode: ModeSchema.nullable(),
  lastHeartbeat: IsoTime.nullable(),
  /** A heartbeat within the last 3 heartbeat intervals. */
  online: z.boolean(),
  appliedRevision: z.number().int().nullable(),
  appliedHash: z.string().nullable(),
  /** The hash the agent should have (`none`: no RuleSet). */
  currentHash: z.string(),
  /** appliedHash equals currentHash. */
  converged: z.boolean(),
  drift: z.enum(["unknown", "in-sync", "drifted", "repaired"]),
  lastError: z.string().nullable(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;
export const AgentListSchema = z.object({ agents: z.array(AgentViewSchema) });
/**
 * A fresh maintenance token for one agent, returned once: the controller keeps only its sha256,
 * which the agent learns with its next status answer. With the token, an operator on the host may
 * stop the agent (`microseg-agent maintenance`) or unpair it (`microseg-agent unpair`) without it
 * counting as tampering. Issuing a new one makes the previous one invalid.
 */
export const MaintenanceTokenSchema = z.object({
  agentId: z.string(),
  workload: z.string(),
  token: z.string(),
  issuedAt: IsoTime,
});
export type MaintenanceToken = z.infer<typeof MaintenanceTokenSchema>;

// ── audit ───────────────────────────────────────────────────────────────────────────────────
export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: IsoTime,
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
/** GET /api/v1/audit answers this many entries without `limit`, and never more than the max. */
export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1000;
/** POST /api/v1/audit/verify takes at most this many anchors per request. */
export const AUDIT_ANCHORS_MAX = 10_000;

export const AuditListSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** The path of the next page (same filter); null at the end. Absent from older controllers. */
  next: z.string().nullable().optional(),
});
/** `limit` above AUDIT_PAGE_MAX is served as AUDIT_PAGE_MAX (follow `next` for the rest). */
export const AuditQuerySchema = z.object({
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  target: z.string().optional(),
});
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits");
/** GET /api/v1/audit/verify?seq=&hash= (an anchor printed by an earlier verify). */
export const AuditVerifyQuerySchema = z.object({
  seq: z.coerce.number().int().positive().optional(),
  hash: Sha256Hex.optional(),
});
/** An audit head exported outside the database: entry `seq` had hash `hash` at time `at`. */
export const AuditAnchorSchema = z.object({
  seq: z.number().int().positive(),
  hash: Sha256Hex,
  at: IsoTime.optional(),
});
export type AuditAnchor = z.infer<typeof AuditAnchorSchema>;
/** POST /api/v1/audit/verify: the chain, and every anchor against it. */
export const AuditVerifyRequestSchema = z.object({
  anchors: z.array(AuditAnchorSchema).max(AUDIT_ANCHORS_MAX),
});
export const AuditVerdictSchema = z.union([
  z.object({
    ok: z.literal(true),
    count: z.number().int(),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
    /** The first entry sealed with the audit key (null: none; absent from older controllers). */
    keyedFrom: z.number().int().nullable().optional(),
  }),
  z.object({
    ok: z.literal(false),
    seq: z.number().int(),
    problem: z.enum(["missing", "edited", "reordered", "truncated", "unkeyed"]),
    message: z.string(),
  }),
]);

// ── version ─────────────────────────────────────────────────────────────────────────────────
/**
 * GET /api/version (no token): the release the controller runs (e.g. "0.2.0", the same as
 * `microseg --version`) and the API version of its paths.
 */
export const VersionSchema = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/),
  api: z.literal("v1"),
});
export type VersionInfo = z.infer<typeof VersionSchema>;

// ── status ──────────────────────────────────────────────────────────────────────────────────
/** GET /healthz (`ok`) and GET /readyz (`ready`); an unready controller answers an error body. */
export const HealthSchema = z.object({ status: z.enum(["ok", "ready"]) });

export const ControllerStatusSchema = z.object({
  protocol: z.literal(1),
  activeRevision: z.number().int().nullable(),
  /** SHA-256 of the CA certificate (DER), lower-case hex; null when serving plain HTTP. */
  caFingerprint: z.string().nullable(),
  workloads: z.number().int(),
  agents: z.object({
    total: z.number().int(),
    revoked: z.number().int(),
    online: z.number().int(),
    converged: z.number().int(),
    pending: z.number().int(),
    drifted: z.number().int(),
  }),
});
