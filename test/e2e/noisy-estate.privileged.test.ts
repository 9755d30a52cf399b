// Learning and detection on a noisy estate, end to end: 24 hosts in learn mode run their normal
// day (packages/lab/testdata/scenarios/noisy-estate.yaml) while an authorised vulnerability
// scanner sweeps everything, one workstation sweeps the databases fast and another scans one
// port every 5 s. Every attack is an alert; the scanner and the normal day raise none; the
// recommendation opens no port that never answered. The figures go to docs/BENCHMARKS.md.
import { labAttack, labTrafficStart, labTrafficStop, readState } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { scenario, tempStateDir, useLab } from "../../packages/lab/src/testing/lab-fixtures.js";
import { type Alert, alerts, cli } from "./cli.js";
import { eventually } from "./traffic.js";

const dir = tempStateDir();
const ALERT_WITHIN_MS = 5_000;
/** One closed port every SLOW_MS on one host: 12 a minute, below the fast scan's 15. */
const SLOW_MS = 5_000;
const SLOW_CONTACTS = 22;

interface Recommendation {
  rules: { from: string; to: string; services: string[] }[];
  leftOut: Record<string, number>;
}

const attackers = new Set(["spare-1", "spare-2"]);
/** Alerts that name neither attacker: the scanner's authorised scans are records, not alerts. */
const falsePositives = (as: readonly Alert[]) =>
  as.filter((a) => !attackers.has(a.source) && a.kind !== "authorised-scan");

describePrivileged("a noisy estate: attacks found, the scanner and the normal day quiet", () => {
  useLab(scenario("noisy-estate"), dir, { cliEnv: true });
  let slow: Promise<unknown> = Promise.resolve();
  beforeAll(async () => {
    await labTrafficStart({ dir });
  });
  afterAll(async () => {
    await slow.catch(() => undefined);
    await labTrafficStop({ dir });
  });

  it("the normal day raises nothing", async () => {
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await alerts()).toEqual([]);
  });

  it("a slow scan starts: one closed port every 5 s on one database", () => {
    slow = labAttack({
      kind: "slow-scan",
      from: "spare-2",
      to: ["db-2"],
      ports: "1000-1100",
      intervalMs: SLOW_MS,
      durationMs: SLOW_CONTACTS * SLOW_MS,
      dir,
    });
  });

  it("the authorised scanner sweeps every host: recorded, never a scan alert", async () => {
    const report = await labAttack({ kind: "vuln-scan", from: "scanner-1", dir });
    expect(report.attempts).toBeGreaterThan(1_000);
    const recorded = await eventually(
      async () => (await alerts()).find((a) => a.source === "scanner-1"),
      ALERT_WITHIN_MS,
      "the scanner's contacts recorded as an authorised scan",
    );
    expect(recorded.kind).toBe("authorised-scan");
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await alerts()).filter((a) => a.source === "scanner-1").map((a) => a.kind)).toEqual([
      "authorised-scan",
    ]);
  });

  it("a fast sweep of the databases is a scan alert within 5 s", async () => {
    await labAttack({
      kind: "spread",
      from: "spare-1",
      to: ["db-1", "db-2", "bill-db-1"],
      ports: "20-61,5432",
      dir,
    });
    const done = Date.now();
    await eventually(
      async () => (await alerts()).find((a) => a.source === "spare-1" && a.kind === "scan"),
      ALERT_WITHIN_MS,
      "a scan alert from spare-1",
    );
    expect(Date.now() - done).toBeLessThan(ALERT_WITHIN_MS);
  });

  it(
    "the slow scan is a scan alert too, once it has made 20 failed contacts",
    async () => {
      await slow;
      const alert = await eventually(
        async () => (await alerts()).find((a) => a.source === "spare-2" && a.kind === "scan"),
        ALERT_WITHIN_MS,
        "a slow scan alert from spare-2",
      );
      expect(alert.summary).toMatch(/slowly/);
    },
    SLOW_CONTACTS * SLOW_MS + 60_000,
  );

  it("no alert for the scanner or the normal day; the recommendation opens no unanswered port", async () => {
    const all = await alerts();
    const listening = new Set(readState(dir)?.hosts.flatMap((h) => h.listen) ?? []);
    const rec = JSON.parse(
      await cli("policy", "recommend", "--since", "1h", "--json"),
    ) as Recommendation;
    const services = rec.rules.flatMap((r) => r.services);
    const unanswered = services.filter((s) => !listening.has(s));
    const fromScanner = rec.rules.filter((r) => r.from.includes("role=scanner"));
    const figures = {
      expected: 2,
      raised: ["spare-1", "spare-2"].filter((s) =>
        all.some((a) => a.source === s && a.kind === "scan"),
      ).length,
      falsePositives: falsePositives(all).length,
      authorisedScans: all.filter((a) => a.kind === "authorised-scan").length,
      rules: rec.rules.length,
      rulesOpeningUnansweredPorts: unanswered.length,
      leftOut: rec.leftOut,
    };
    console.log(`noisy estate: ${JSON.stringify(figures)}`);
    expect(falsePositives(all)).toEqual([]);
    expect(figures.raised).toBe(2);
    expect(unanswered).toEqual([]);
    expect(fromScanner).toEqual([]);
    expect(rec.leftOut.scanner).toBeGreaterThan(0);
    expect(rec.leftOut.refused).toBeGreaterThan(0);
    expect(rec.rules.length).toBeGreaterThan(5);
  });
});
