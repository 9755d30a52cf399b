// Every route the controller serves, with the protocol schemas of its body, query and answer.
// The OpenAPI document (openapi.ts) is built from this table; wire.test.ts checks each answer
// against the schema named here, and admin.test.ts that each route is served.
import * as P from "@microseg/protocol";
import type { z } from "zod";
import { BODY_LIMITS } from "../limits/defaults.js";

export type Auth = "none" | "admin" | "agent" | "enrol-key";

export interface RouteDoc {
  readonly method: "get" | "put" | "post" | "patch" | "delete";
  readonly path: string;
  readonly summary: string;
  readonly auth: Auth;
  readonly body?: z.ZodType;
  readonly yamlBody?: boolean;
  readonly query?: z.ZodObject;
  readonly status?: number;
  readonly response?: z.ZodType;
  /** A text answer of this media type instead of JSON. */
  readonly textResponse?: string;
  /** The largest body taken (bytes); default BODY_LIMITS.json. Enforced by body-limit.ts. */
  readonly maxBody?: number;
}

const Revision = P.RevisionSchema;

export const ROUTES: readonly RouteDoc[] = [
  {
    method: "get",
    path: P.PATHS.caPem,
    summary: "The controller's CA certificate (PEM)",
    auth: "none",
  },
  { method: "get", path: P.PATHS.openapi, summary: "This document", auth: "none" },
  {
    method: "get",
    path: P.PATHS.version,
    summary: "The controller's release and API version (no token)",
    auth: "none",
    response: P.VersionSchema,
  },
  {
    method: "get",
    path: P.PATHS.healthz,
    summary: "Liveness: 200 while the process serves HTTP (touches nothing else)",
    auth: "none",
    response: P.HealthSchema,
  },
  {
    method: "get",
    path: P.PATHS.readyz,
    summary:
      "Readiness: 200 when the store answers and is migrated; 503 MSEG_CONTROLLER_NOT_READY with the reason",
    auth: "none",
    response: P.HealthSchema,
  },
  {
    method: "get",
    path: P.PATHS.metrics,
    summary:
      "Prometheus metrics (text exposition format 0.0.4); no token needed with --metrics-public",
    auth: "admin",
    textResponse: "text/plain; version=0.0.4",
  },
  {
    method: "post",
    path: P.PATHS.enrol,
    summary: "Enrol an agent with a profile key",
    auth: "enrol-key",
    body: P.EnrolRequestSchema,
    status: 201,
    response: P.EnrolResponseSchema,
    maxBody: BODY_LIMITS.enrol,
  },
  {
    method: "get",
    path: P.PATHS.agentPolicy,
    summary: "Long-poll for the agent's own RuleSet (204: unchanged)",
    auth: "agent",
    query: P.PolicyQuerySchema,
    response: P.PolicyResponseSchema,
  },
  {
    method: "post",
    path: P.PATHS.agentStatus,
    summary: "Heartbeat and acknowledgement",
    auth: "agent",
    body: P.StatusRequestSchema,
    response: P.StatusResponseSchema,
    maxBody: BODY_LIMITS.status,
  },
  {
    method: "post",
    path: P.PATHS.agentFlows,
    summary: "Report a batch of flow records (applied at most once per seq)",
    auth: "agent",
    body: P.FlowBatchSchema,
    response: P.FlowBatchAckSchema,
    maxBody: BODY_LIMITS.flows,
  },
  {
    method: "get",
    path: P.PATHS.status,
    summary: "Active revision, CA fingerprint, convergence",
    auth: "admin",
    response: P.ControllerStatusSchema,
  },
  {
    method: "get",
    path: P.PATHS.workloads,
    summary: "List workloads (limit/offset pages; q and label filter; total counts matches)",
    auth: "admin",
    query: P.WorkloadQuerySchema,
    response: P.WorkloadListSchema,
  },
  {
    method: "get",
    path: P.PATHS.workload,
    summary: "Get a workload",
    auth: "admin",
    response: P.WorkloadRecordSchema,
  },
  {
    method: "put",
    path: P.PATHS.workload,
    summary: "Create or replace a workload",
    auth: "admin",
    body: P.WorkloadPutSchema,
    response: P.WorkloadChangeSchema,
  },
  {
    method: "patch",
    path: P.PATHS.workload,
    summary: "Merge labels (null removes) or set the mode",
    auth: "admin",
    body: P.WorkloadPatchSchema,
    response: P.WorkloadChangeSchema,
  },
  {
    method: "delete",
    path: P.PATHS.workload,
    summary: "Delete a workload (409 while a live agent owns it)",
    auth: "admin",
    status: 204,
  },
  {
    method: "get",
    path: P.PATHS.policyDraft,
    summary: "The draft (JSON, or YAML with Accept: application/yaml)",
    auth: "admin",
    response: P.DraftSchema,
  },
  {
    method: "put",
    path: P.PATHS.policyDraft,
    summary:
      "Replace the draft with YAML text (422: diagnostics when invalid, MSEG_POLICY_TOO_COMPLEX over the compile budgets)",
    auth: "admin",
    yamlBody: true,
    response: P.DraftSavedSchema,
    maxBody: BODY_LIMITS.policy,
  },
  {
    method: "get",
    path: P.PATHS.policyDiff,
    summary: "Draft against active: rule and per-workload RuleSet changes",
    auth: "admin",
    response: P.PolicyDiffSchema,
  },
  {
    method: "get",
    path: P.PATHS.policyActive,
    summary: "The active revision",
    auth: "admin",
    response: Revision,
  },
  {
    method: "post",
    path: P.PATHS.policyProvision,
    summary: "Make the draft revision N+1 and push it",
    auth: "admin",
    body: P.ProvisionRequestSchema,
    status: 201,
    response: P.ProvisionResponseSchema,
  },
  {
    method: "post",
    path: P.PATHS.policyRollback,
    summary: "Make a copy of revision `to` active as N+1",
    auth: "admin",
    body: P.RollbackRequestSchema,
    status: 201,
    response: P.ProvisionResponseSchema,
  },
  {
    method: "get",
    path: P.PATHS.policyHistory,
    summary: "Revisions, newest first",
    auth: "admin",
    response: P.HistorySchema,
  },
  {
    method: "get",
    path: P.PATHS.policyRevision,
    summary: "One revision with its text",
    auth: "admin",
    response: Revision,
  },
  {
    method: "get",
    path: P.PATHS.profiles,
    summary: "List enrolment profiles",
    auth: "admin",
    response: P.ProfileListSchema,
  },
  {
    method: "post",
    path: P.PATHS.profiles,
    summary: "Create an enrolment profile (the key is shown once)",
    auth: "admin",
    body: P.ProfileCreateSchema,
    status: 201,
    response: P.ProfileCreatedSchema,
  },
  {
    method: "post",
    path: P.PATHS.profileRevoke,
    summary: "Revoke an enrolment profile",
    auth: "admin",
    response: P.ProfileSchema,
  },
  {
    method: "get",
    path: P.PATHS.agents,
    summary: "Agents with revision, convergence, heartbeat, drift",
    auth: "admin",
    response: P.AgentListSchema,
  },
  {
    method: "get",
    path: P.PATHS.agent,
    summary: "One agent",
    auth: "admin",
    response: P.AgentViewSchema,
  },
  {
    method: "post",
    path: P.PATHS.agentRevoke,
    summary: "Revoke an agent (its credential stops working)",
    auth: "admin",
    response: P.AgentViewSchema,
  },
  {
    method: "post",
    path: P.PATHS.agentMaintenanceToken,
    summary:
      "Issue the agent a maintenance token (shown once; sanctions a stop or unpair on its host)",
    auth: "admin",
    status: 201,
    response: P.MaintenanceTokenSchema,
  },
  {
    method: "get",
    path: P.PATHS.audit,
    summary:
      "Audit entries, oldest first: a page (default 100, at most 1,000) and the next page's path",
    auth: "admin",
    query: P.AuditQuerySchema,
    response: P.AuditListSchema,
  },
  {
    method: "get",
    path: P.PATHS.auditVerify,
    summary: "Verify the audit hash chain (optionally against a head)",
    auth: "admin",
    query: P.AuditVerifyQuerySchema,
    response: P.AuditVerdictSchema,
  },
  {
    method: "post",
    path: P.PATHS.auditVerify,
    summary: "Verify the audit chain against anchors exported earlier (at most 10,000)",
    auth: "admin",
    body: P.AuditVerifyRequestSchema,
    response: P.AuditVerdictSchema,
  },
  // the flow graph
  {
    method: "get",
    path: P.PATHS.flows,
    summary: "Flow graph edges over a time range, newest first",
    auth: "admin",
    query: P.FlowQuerySchema,
    response: P.FlowEdgeListSchema,
  },
  {
    method: "get",
    path: P.PATHS.map,
    summary: "The map: workload or label-group nodes and the flows between them",
    auth: "admin",
    query: P.MapQuerySchema,
    response: P.MapSchema,
  },
  // alerts, incidents, quarantine
  {
    method: "get",
    path: P.PATHS.alerts,
    summary: "Alerts, newest lastAt first (filters: kind, status, source, since, limit)",
    auth: "admin",
    query: P.AlertQuerySchema,
    response: P.AlertListSchema,
  },
  {
    method: "post",
    path: P.PATHS.alertAck,
    summary: "Acknowledge an alert (audited)",
    auth: "admin",
    response: P.AlertAckResponseSchema,
  },
  {
    method: "get",
    path: P.PATHS.incidents,
    summary: "Alerts grouped by incident",
    auth: "admin",
    response: P.IncidentListSchema,
  },
  {
    method: "post",
    path: P.PATHS.quarantine,
    summary: "Quarantine a workload: only management and forensic addresses reach it (audited)",
    auth: "admin",
    body: P.QuarantineRequestSchema,
    response: P.QuarantineResponseSchema,
  },
  {
    method: "delete",
    path: P.PATHS.quarantine,
    summary: "Release a workload from quarantine (audited)",
    auth: "admin",
    response: P.ReleaseResponseSchema,
  },
  // ── learning: suggestions, recommendation, replay, explain, blast radius ──
  {
    method: "get",
    path: P.PATHS.suggestions,
    summary: "Application groups found in the flow graph, and label suggestions",
    auth: "admin",
    query: P.SuggestionsQuerySchema,
    response: P.SuggestionsSchema,
  },
  {
    method: "post",
    path: P.PATHS.acceptLabels,
    summary: "Apply label suggestions (or given labels) to a workload (audited)",
    auth: "admin",
    body: P.AcceptLabelsSchema,
    response: P.AcceptedLabelsSchema,
  },
  {
    method: "get",
    path: P.PATHS.recommend,
    summary: "A least-privilege policy learned from recorded flows (save=true: as the draft)",
    auth: "admin",
    query: P.RecommendQuerySchema,
    response: P.RecommendationSchema,
  },
  {
    method: "post",
    path: P.PATHS.replay,
    summary: "Replay recorded flows against a draft: newly blocked and newly allowed",
    auth: "admin",
    body: P.ReplayRequestSchema,
    response: P.ReplayReportSchema,
    maxBody: BODY_LIMITS.policy,
  },
  {
    method: "get",
    path: P.PATHS.explainFlow,
    summary: "Explain a recorded flow under the revision active at `at`",
    auth: "admin",
    query: P.FlowExplainQuerySchema,
    response: P.FlowExplainSchema,
  },
  {
    method: "get",
    path: P.PATHS.blastRadius,
    summary:
      "What an attacker on a workload reaches in k hops under the active policy or the draft",
    auth: "admin",
    query: P.BlastRadiusQuerySchema,
    response: P.BlastRadiusSchema,
  },
];
