// What the lab asks of its controller, over the admin API:
//
//   registerWorkloads  PUT /workloads/<host> for every host (labels, both addresses, mode,
//                      managed, Kubernetes namespace + its labels, named ports). Enrolment takes
//                      the workload over with these fields kept (addresses: the host's own), so
//                      each managed host becomes exactly the Workload the policy model expects.
//   createProfiles     one enrolment profile per managed host, bound to its workload (1 use):
//                      only a bound profile may take over a workload that already exists
//   pushPolicy         PUT /policy/draft (the policy files as one YAML text, `---` between
//                      files) + POST /policy/provision
//   waitConverged      GET /agents until every managed host's live agent acknowledged the
//                      RuleSet the controller holds for it (hash equality), bounded by a stall
import { readFileSync } from "node:fs";
import type { Workload } from "@microseg/core";
import { type LabApiTarget, labApi } from "./lab-api.js";

export const CONVERGE_TIMEOUT_MS = 30_000;

export async function registerWorkloads(
  api: LabApiTarget,
  workloads: readonly Workload[],
): Promise<void> {
  await Promise.all(
    workloads.map((w) => {
      const { name, ...body } = w;
      return labApi(api, "PUT", `/api/v1/workloads/${encodeURIComponent(name)}`, body);
    }),
  );
}

/** Creates one single-use profile per host; resolves to host name -> enrolment key. */
export async function createProfiles(
  api: LabApiTarget,
  hosts: readonly Pick<Workload, "name" | "labels" | "mode">[],
): Promise<Map<string, string>> {
  const keys = await Promise.all(
    hosts.map(async (h) => {
      const body = {
        name: `lab-${h.name}`,
        labels: h.labels,
        mode: h.mode,
        maxUses: 1,
        workload: h.name,
      };
      const created = await labApi<{ key: string }>(api, "POST", "/api/v1/enrol-profiles", body);
      return [h.name, created.key] as const;
    }),
  );
  return new Map(keys);
}

/** The policy files as the one YAML text the controller keeps. */
export function policyText(files: readonly string[]): string {
  return files.map((f) => readFileSync(f, "utf8").replace(/\s+$/, "")).join("\n---\n");
}

/** Saves the draft and provisions it; resolves to the new revision number. */
export async function pushPolicy(api: LabApiTarget, text: string, comment: string) {
  await labApi(api, "PUT", "/api/v1/policy/draft", { text });
  const done = await labApi<{ revision: { number: number } }>(
    api,
    "POST",
    "/api/v1/policy/provision",
    { comment },
  );
  return done.revision.number;
}

export interface AgentRow {
  readonly id: string;
  readonly workload: string;
  readonly revoked: boolean;
  readonly converged: boolean;
  readonly appliedHash: string | null;
  readonly appliedRevision: number | null;
  readonly currentHash: string;
  readonly drift: string;
  readonly lastError: string | null;
}

export async function listAgents(api: LabApiTarget): Promise<AgentRow[]> {
  return (await labApi<{ agents: AgentRow[] }>(api, "GET", "/api/v1/agents")).agents;
}

/**
 * Resolves once every host in `hosts` has a live agent that applied the RuleSet the controller
 * holds for it. The bound is on a stall, not on the whole wait: it rejects once `timeoutMs` pass
 * with no host newly converged (a large lab on a busy machine converges slowly but steadily),
 * naming the hosts that did not (and why, when known).
 */
export async function waitConverged(
  api: LabApiTarget,
  hosts: readonly string[],
  timeoutMs = CONVERGE_TIMEOUT_MS,
  /** Called on every round; throws to give up early (e.g. an agent process exited). */
  check: () => void = () => {},
  /** Told how many hosts converged, each time that number changes. */
  progress: (converged: number, of: number) => void = () => {},
): Promise<void> {
  let deadline = Date.now() + timeoutMs;
  let pending: string[] = [...hosts];
  let rows: AgentRow[] = [];
  while (Date.now() < deadline) {
    check();
    rows = await listAgents(api).catch(() => rows);
    const done = new Set(
      rows
        .filter((a) => !a.revoked && a.converged && a.appliedHash !== null)
        .map((a) => a.workload),
    );
    const still = hosts.filter((h) => !done.has(h));
    if (still.length < pending.length) {
      deadline = Date.now() + timeoutMs;
      progress(hosts.length - still.length, hosts.length);
    }
    pending = still;
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = pending.map((h) => {
    const a = rows.find((r) => r.workload === h && !r.revoked);
    if (a === undefined) return `${h} (never enrolled)`;
    return `${h} (applied ${a.appliedHash ?? "nothing"}, expected ${a.currentHash}${a.lastError ? `: ${a.lastError}` : ""})`;
  });
  throw new Error(
    `agents did not converge (none for ${timeoutMs} ms): ${why.join(", ")} (see agent-<host>.log in the lab state dir)`,
  );
}
