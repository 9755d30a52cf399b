// The admin API routes the console calls. Written out here so the bundle carries no protocol
// code; `satisfies` makes the typecheck fail if one drifts from @microseg/protocol's PATHS.
import type { PATHS as ProtocolPaths } from "@microseg/protocol";

export const PATHS = {
  status: "/api/v1/status",
  workloads: "/api/v1/workloads",
  workload: "/api/v1/workloads/:name",
  quarantine: "/api/v1/workloads/:name/quarantine",
  policyDraft: "/api/v1/policy/draft",
  policyDiff: "/api/v1/policy/diff",
  policyProvision: "/api/v1/policy/provision",
  policyHistory: "/api/v1/policy/history",
  policyRevision: "/api/v1/policy/revisions/:number",
  policyRollback: "/api/v1/policy/rollback",
  profiles: "/api/v1/enrol-profiles",
  profileRevoke: "/api/v1/enrol-profiles/:id/revoke",
  agents: "/api/v1/agents",
  audit: "/api/v1/audit",
  auditVerify: "/api/v1/audit/verify",
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
} as const satisfies Partial<typeof ProtocolPaths>;

/** Fills `:param` segments (URL-encoded) and appends the defined query parameters. */
export function route(
  template: string,
  params: Record<string, string | number> = {},
  query: Record<string, string | number | undefined> = {},
): string {
  const path = template.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`route: missing parameter ${key} for ${template}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== "") search.set(k, String(v));
  }
  const qs = search.toString();
  return qs === "" ? path : `${path}?${qs}`;
}
