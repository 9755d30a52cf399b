// Route paths of protocol v1, shared by the controller (which serves them) and its clients
// (agent, cli, web). `:name` segments are path parameters.

export const PROTOCOL_VERSION = 1;

export const PATHS = {
  caPem: "/api/ca.pem",
  openapi: "/api/openapi.json",
  /** The release and API version; no token (installers and clients check it first). */
  version: "/api/version",
  // operations: outside /api, the paths probes and scrapers expect
  healthz: "/healthz",
  readyz: "/readyz",
  metrics: "/metrics",
  // agent channel
  enrol: "/api/v1/enrol",
  agentPolicy: "/api/v1/agent/policy",
  agentStatus: "/api/v1/agent/status",
  agentFlows: "/api/v1/agent/flows",
  // admin
  status: "/api/v1/status",
  workloads: "/api/v1/workloads",
  workload: "/api/v1/workloads/:name",
  policyDraft: "/api/v1/policy/draft",
  policyActive: "/api/v1/policy/active",
  policyDiff: "/api/v1/policy/diff",
  policyProvision: "/api/v1/policy/provision",
  policyHistory: "/api/v1/policy/history",
  policyRevision: "/api/v1/policy/revisions/:number",
  policyRollback: "/api/v1/policy/rollback",
  profiles: "/api/v1/enrol-profiles",
  profileRevoke: "/api/v1/enrol-profiles/:id/revoke",
  agents: "/api/v1/agents",
  agent: "/api/v1/agents/:id",
  agentRevoke: "/api/v1/agents/:id/revoke",
  agentMaintenanceToken: "/api/v1/agents/:id/maintenance-token",
  audit: "/api/v1/audit",
  auditVerify: "/api/v1/audit/verify",
  // flows, learning, detection, response
  flows: "/api/v1/flows",
  map: "/api/v1/map",
  suggestions: "/api/v1/insight/labels",
  acceptLabels: "/api/v1/insight/labels/accept",
  recommend: "/api/v1/insight/recommend",
  replay: "/api/v1/policy/replay",
  explainFlow: "/api/v1/flows/explain",
  blastRadius: "/api/v1/insight/blast-radius",
  alerts: "/api/v1/alerts",
  alertAck: "/api/v1/alerts/:id/ack",
  incidents: "/api/v1/incidents",
  quarantine: "/api/v1/workloads/:name/quarantine",
} as const;

/** Fills `:param` segments: pathFor(PATHS.workload, {name: "web-1"}). Values are URL-encoded. */
export function pathFor(template: string, params: Record<string, string | number>): string {
  return template.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`pathFor: missing parameter ${key} for ${template}`);
    return encodeURIComponent(String(value));
  });
}
