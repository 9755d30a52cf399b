// Quarantine in depth in the real kernel: db admits tcp/5432 from ANY address. Quarantining app
// gives db a deny of app's address ahead of that allow, so when the attacker owns app — its
// agent killed, its table flushed — app still cannot reach db, while web still can.
import { describePrivileged } from "@microseg/nft/testing";
import { beforeAll, expect, it } from "vitest";
import { type LabApiTarget, labApi, labExec, labProbe, readState } from "./index.js";
import {
  agentConverged,
  allowed,
  labControllerApi,
  scenario,
  tempStateDir,
  useLab,
} from "./testing/lab-fixtures.js";

const dir = tempStateDir();
let api: LabApiTarget;
const probe = async () => allowed((await labProbe({ dir, timeoutMs: 500 })).results);

const converged = (host: string, ms: number) => agentConverged(api, host, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describePrivileged("lab: quarantine holds at the peers", () => {
  useLab(scenario("quarantine-depth"), dir);
  beforeAll(() => {
    api = labControllerApi(dir);
  });

  it("starts with the policy's matrix: anyone reaches db, web reaches app", async () => {
    expect(await probe()).toEqual([
      "app -> db tcp/5432",
      "web -> app tcp/8000",
      "web -> db tcp/5432",
    ]);
  });

  it("quarantine puts a deny of app ahead of db's any-address allow", async () => {
    await labApi(api, "POST", "/api/v1/workloads/app/quarantine", { reason: "lab test" });
    await converged("app", 5000);
    await converged("db", 5000);
    const explained = await labApi<{
      decision: { steps: { workload: string; rule?: { id: string } }[] };
    }>(api, "GET", "/api/v1/flows/explain?from=app&to=db&port=tcp/5432");
    expect(explained.decision.steps.find((s) => s.workload === "db")?.rule?.id).toBe("quarantine");
    expect(await probe()).toEqual(["web -> db tcp/5432"]);
  });

  it("with app's agent killed and its table flushed, db still keeps app out", async () => {
    const agent = readState(dir)?.agents?.find((a) => a.host === "app");
    expect(agent?.pid).toBeGreaterThan(0);
    process.kill(agent?.pid as number, "SIGKILL");
    for (let i = 0; i < 100 && alive(agent?.pid as number); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(alive(agent?.pid as number)).toBe(false);
    expect(await labExec("app", ["nft", "flush", "ruleset"], { dir, stdio: "ignore" })).toBe(0);
    const empty = ["sh", "-c", 'test -z "$(nft list ruleset)"'];
    expect(await labExec("app", empty, { dir, stdio: "ignore" })).toBe(0);
    // app itself now lets everything out and in: only its peers' chains stand in the way (web's
    // label rule no longer selects app; db's any-address allow is preceded by the deny of app).
    expect(await probe()).toEqual(["web -> db tcp/5432"]);
    expect(await labExec("app", empty, { dir, stdio: "ignore" })).toBe(0);
  });
});
