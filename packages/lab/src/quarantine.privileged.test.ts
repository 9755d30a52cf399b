// Quarantine end to end in the real kernel: `lab up` with a controller and agents; quarantining
// `app` (in learn mode) through the API cuts its connections both ways within a second (its agent
// is woken and applies deny-all in enforce), while the controller still reaches it (the agent
// keeps reporting); a forensic host still gets in; release restores the probe matrix.
import { describePrivileged } from "@microseg/nft/testing";
import { beforeAll, expect, it } from "vitest";
import { type LabApiTarget, labApi, labAttack, labProbe, listAgents, readState } from "./index.js";
import {
  agentConverged,
  allowed,
  labControllerApi,
  scenario,
  tempStateDir,
  useLab,
} from "./testing/lab-fixtures.js";

const dir = tempStateDir();
// app is in learn mode: it blocks nothing itself, so the outside host reaches it and it reaches
// the outside host; its enforcing peers still apply their own rules.
const BEFORE = [
  "app -> db tcp/5432",
  "app -> fx tcp/22",
  "fx -> app tcp/8000",
  "web -> app tcp/8000",
];
let api: LabApiTarget;
const probe = async () => allowed((await labProbe({ dir, timeoutMs: 500 })).results);

const converged = (host: string, ms: number) => agentConverged(api, host, ms);

interface AlertRow {
  readonly kind: string;
  readonly targets: string[];
  readonly count: number;
  readonly evidence: { readonly flows: readonly { readonly verdict: string }[] };
}

/** Polls GET /api/v1/alerts?QUERY until it lists something (agents report flows every second). */
async function eventuallyAlerts(query: string, ms: number): Promise<AlertRow[]> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const { alerts } = await labApi<{ alerts: AlertRow[] }>(api, "GET", `/api/v1/alerts?${query}`);
    if (alerts.length > 0) return alerts;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no alert matched ${query} within ${ms} ms`);
}

describePrivileged("lab: quarantine through the policy engine", () => {
  useLab(scenario("quarantine"), dir);
  beforeAll(() => {
    api = labControllerApi(dir);
  });

  it("starts with the policy's matrix", async () => {
    expect(await probe()).toEqual(BEFORE);
  });

  it("a port scan from inside the lab is one scan alert, with its blocked flows as evidence", async () => {
    const report = await labAttack({ kind: "scan", from: "web", to: ["db"], ports: "1-200", dir });
    expect(report.attempts).toBe(200);
    expect(report.connected).toEqual([]);
    const scans = await eventuallyAlerts("kind=scan&source=web", 20_000);
    expect(scans).toHaveLength(1);
    expect(scans[0]?.targets).toContain("db");
    expect(scans[0]?.count).toBeGreaterThan(1);
    expect(scans[0]?.evidence.flows.every((f) => f.verdict === "blocked")).toBe(true);
  });

  it("a touch of a workload labelled decoy=true is a decoy alert at once", async () => {
    await labApi(api, "PATCH", "/api/v1/workloads/db", { labels: { decoy: "true" } });
    const report = await labAttack({ kind: "decoy", from: "web", to: ["db"], dir });
    expect(report.attempts).toBe(1);
    const decoys = await eventuallyAlerts("kind=decoy&source=web", 20_000);
    expect(decoys[0]?.targets).toEqual(["db"]);
    await labApi(api, "PATCH", "/api/v1/workloads/db", { labels: { decoy: null } });
  });

  it("quarantine cuts the workload off both ways within a second, whatever its mode", async () => {
    const before = (await listAgents(api)).find((a) => a.workload === "app")?.appliedHash;
    await labApi(api, "POST", "/api/v1/workloads/app/quarantine", { reason: "lab test" });
    const ms = await converged("app", 5000);
    expect(ms).toBeLessThan(1000);
    // The controller still reaches it: the agent got the quarantine RuleSet and reported it.
    const row = (await listAgents(api)).find((a) => a.workload === "app");
    expect(row?.appliedHash).not.toBe(before);
    expect(row?.drift).not.toBe("drifted");
    expect(await probe()).toEqual([]);
  });

  it("a forensic address still reaches the quarantined workload, both ways", async () => {
    const fx = readState(dir)?.hosts.find((h) => h.name === "fx")?.address as string;
    await labApi(api, "POST", "/api/v1/workloads/app/quarantine", {
      reason: "lab test",
      forensic: [fx],
    });
    await converged("app", 5000);
    expect(await probe()).toEqual(["app -> fx tcp/22", "fx -> app tcp/8000"]);
  });

  it("release restores the probe matrix", async () => {
    await labApi(api, "DELETE", "/api/v1/workloads/app/quarantine");
    await converged("app", 5000);
    await converged("web", 5000);
    await converged("db", 5000);
    expect(await probe()).toEqual(BEFORE);
  });
});
