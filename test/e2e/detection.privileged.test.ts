// Continuous monitoring end to end, through the `microseg` command: a normal day of traffic
// raises nothing; a port scan, a horizontal sweep, an SMB-style fan-out and a decoy touch — each
// from its own compromised laptop — each raise the right alert within 5 s; quarantine cuts a
// laptop off while its agent still reaches the controller, and release restores it.
import { join } from "node:path";
import { type AttackKind, labAttack, labTrafficOnce } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { expect, it } from "vitest";
import { tempStateDir, useLab } from "../../packages/lab/src/testing/lab-fixtures.js";
import { alerts, cli } from "./cli.js";
import { eventually } from "./traffic.js";

const dir = tempStateDir();
const SCENARIO = join(import.meta.dirname, "testdata/detection.yaml");
const ALERT_WITHIN_MS = 5_000;

/** The normal day, a few rounds: every flow of the scenario's traffic plan once per round. */
async function normalDay(rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const results = await labTrafficOnce({ dir });
    expect(results.filter((r) => r.verdict !== "allowed")).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs the attack, then waits for an alert of `kind` from `from`; answers it and the delay. */
async function attackAndDetect(kind: AttackKind, from: string, expected: string, extra = {}) {
  await labAttack({ kind, from, dir, ...extra });
  const done = Date.now();
  const alert = await eventually(
    async () => (await alerts()).find((a) => a.kind === expected && a.source === from),
    ALERT_WITHIN_MS,
    `a ${expected} alert from ${from} after lab attack ${kind}`,
  );
  return { alert, ms: Date.now() - done };
}

async function laptopReachesWeb(): Promise<boolean> {
  const r = await labTrafficOnce({ dir, hosts: ["atk-scan"] });
  const browse = r.filter((x) => x.from === "atk-scan" && x.port === "tcp/80");
  expect(browse.length).toBeGreaterThan(0);
  return browse.every((x) => x.verdict === "allowed");
}

describePrivileged(
  "detection end to end: alerts for attacks, none for a normal day; quarantine",
  () => {
    useLab(SCENARIO, dir, { cliEnv: true });

    it("a normal day raises no alert", async () => {
      await normalDay(6);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await alerts()).toEqual([]);
    });

    it("a port scan is a scan alert within 5 s, one alert however many ports", async () => {
      const { alert, ms } = await attackAndDetect("scan", "atk-scan", "scan", {
        to: ["db-1"],
        ports: "1-300",
      });
      expect(alert.targets).toEqual(["db-1"]);
      expect(ms).toBeLessThan(ALERT_WITHIN_MS);
      // (it may also be lateral movement: the scan touched ssh on db-1)
      expect(
        (await alerts()).filter((a) => a.source === "atk-scan" && a.kind === "scan"),
      ).toHaveLength(1);
      expect(alert.summary).toBe("atk-scan scanned 300 ports on db-1");
    });

    it("a horizontal sweep of one port is a scan alert within 5 s", async () => {
      const { alert } = await attackAndDetect("sweep", "atk-sweep", "scan", { ports: "3389" });
      expect(alert.targets.length).toBeGreaterThanOrEqual(4);
      expect(alert.summary).toMatch(/scanned tcp\/3389 on \d+ hosts/);
    });

    it("an SMB-style fan-out is a ransomware-spread alert within 5 s", async () => {
      const { alert } = await attackAndDetect("spread", "atk-spread", "ransomware-spread");
      expect(["high", "critical"]).toContain(alert.severity);
      // raised at the threshold; the same alert then gathers every host the fan-out touched
      const all = ["files-1", "db-1", "web-1", "web-2", "app-1"];
      await eventually(
        async () => {
          const now = (await alerts()).find((a) => a.id === alert.id);
          return all.every((h) => now?.targets.includes(h)) ? true : undefined;
        },
        ALERT_WITHIN_MS,
        "the spread alert lists every host it touched",
      );
      expect((await alerts()).filter((a) => a.kind === "ransomware-spread")).toHaveLength(1);
    });

    it("a touch of the decoy is a decoy alert within 5 s", async () => {
      const { alert } = await attackAndDetect("decoy", "atk-decoy", "decoy", { to: ["honey-1"] });
      expect(alert.targets).toEqual(["honey-1"]);
      expect(["high", "critical"]).toContain(alert.severity);
    });

    it("every alert names an attacker: the normal day, still running, raised none", async () => {
      await normalDay(2);
      const sources = new Set((await alerts()).map((a) => a.source));
      expect([...sources].sort()).toEqual(["atk-decoy", "atk-scan", "atk-spread", "atk-sweep"]);
    });

    it("quarantine blocks the laptop's next connections while its agent still reaches the controller", async () => {
      expect(await laptopReachesWeb()).toBe(true);
      await cli("quarantine", "atk-scan", "--reason", "port scan");
      await eventually(
        async () => ((await laptopReachesWeb()) ? undefined : true),
        2_000,
        "atk-scan cut off after quarantine",
      );
      // management still works: the quarantined agent acknowledged the quarantine RuleSet
      const agents = JSON.parse(await cli("agents", "--json")) as {
        agents: { workload: string; converged?: boolean; current?: boolean; online?: boolean }[];
      };
      const laptop = agents.agents.find((a) => a.workload === "atk-scan");
      expect(laptop).toBeDefined();
      expect(JSON.stringify(laptop)).not.toMatch(/"online":false|"converged":false/);
    });

    it("release restores the laptop's connections", async () => {
      await cli("release", "atk-scan");
      await eventually(
        async () => ((await laptopReachesWeb()) ? true : undefined),
        5_000,
        "atk-scan reaches the web tier again",
      );
    });
  },
);
