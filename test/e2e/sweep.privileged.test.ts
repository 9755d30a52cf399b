// A port sweep during learning, end to end, in each mode an estate passes through (learn, test,
// enforce): one laptop sweeps 42 closed ports and the one open port on four database servers
// while an ordinary client uses them. The sweep is a scan alert naming the laptop within 5 s and
// the client raises nothing; every refused contact is marked as such; the recommendation holds
// back the laptop while its alert is open and, once acknowledged, learns only the port that
// answered.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labAttack, labTrafficStart, labTrafficStop } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tempStateDir, useLab } from "../../packages/lab/src/testing/lab-fixtures.js";
import { alerts, cli } from "./cli.js";
import { eventually } from "./traffic.js";

const SERVERS = ["db-1", "db-2", "db-3", "db-4"];
const CLOSED = Array.from({ length: 42 }, (_, i) => 20 + i);
const OPEN = 5432;
const ALERT_WITHIN_MS = 5_000;
const MODES = ["learn", "test", "enforce"] as const;
type Mode = (typeof MODES)[number];

interface Edge {
  from: string;
  to: string;
  port: string;
  verdict: string;
  outcome?: string;
}
interface Recommendation {
  rules: { from: string; to: string; services: string[] }[];
  leftOut: Record<string, number>;
}

/** The scenario for one mode, written beside its policy in a fresh directory. */
function scenarioFor(mode: Mode): string {
  const at = mkdtempSync(join(tmpdir(), "mseg-sweep-"));
  const db = (n: string) =>
    `  - { name: ${n}, labels: { app: shop, role: db }, listen: [tcp/${OPEN}], mode: ${mode} }`;
  writeFileSync(
    join(at, "policy.yaml"),
    [
      "apiVersion: microseg/v1",
      "rules:",
      `  - { name: app-to-db, from: { role: app }, to: { role: db }, services: [tcp/${OPEN}] }`,
      `  - { name: laptop-to-db, from: { role: laptop }, to: { role: db }, services: [tcp/${OPEN}] }`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(at, "scenario.yaml"),
    [
      `name: t-sweep-${mode}`,
      "hosts:",
      ...SERVERS.map(db),
      `  - { name: app-1, labels: { app: shop, role: app }, mode: ${mode} }`,
      `  - { name: laptop, labels: { role: laptop }, mode: ${mode} }`,
      // the policy matters in enforce mode only; learn and test block nothing
      "policy: [policy.yaml]",
      "traffic:",
      `  - { from: app-1, to: [${SERVERS.join(", ")}], port: tcp/${OPEN}, every: 1s }`,
      "",
    ].join("\n"),
  );
  return join(at, "scenario.yaml");
}

const edgesFrom = async (host: string) =>
  (JSON.parse(await cli("flows", "--json", "--from", host)) as { edges: Edge[] }).edges.filter(
    (e) => SERVERS.includes(e.to),
  );
const recommend = async () =>
  JSON.parse(await cli("policy", "recommend", "--since", "1h", "--json")) as Recommendation;
const fromLaptop = (r: Recommendation) => r.rules.filter((x) => x.from.includes("role=laptop"));

for (const mode of MODES) {
  const dir = tempStateDir();
  describePrivileged(`a sweep during ${mode} mode: alerted, marked, never learned`, () => {
    useLab(scenarioFor(mode), dir, { cliEnv: true });
    beforeAll(async () => {
      await labTrafficStart({ dir });
    });
    afterAll(async () => {
      await labTrafficStop({ dir });
    });

    it("the ordinary client's connections are established and raise nothing", async () => {
      await eventually(
        async () => {
          const e = await edgesFrom("app-1");
          return e.length === SERVERS.length && e.every((x) => x.outcome === "established")
            ? e
            : undefined;
        },
        15_000,
        "app-1's established edges to every server",
      );
      expect(await alerts()).toEqual([]);
    });

    it("the sweep is a scan alert naming the laptop within 5 s; none for the client", async () => {
      await labAttack({
        kind: "spread",
        from: "laptop",
        to: SERVERS,
        ports: `${CLOSED[0]}-${CLOSED.at(-1)},${OPEN}`,
        dir,
      });
      const done = Date.now();
      const scan = await eventually(
        async () => (await alerts()).find((a) => a.kind === "scan" && a.source === "laptop"),
        ALERT_WITHIN_MS,
        `a scan alert from laptop (${mode} mode)`,
      );
      expect(Date.now() - done).toBeLessThan(ALERT_WITHIN_MS);
      // raised at the threshold; the same alert then gathers every server the sweep touched
      await eventually(
        async () => {
          const now = (await alerts()).find((a) => a.id === scan.id);
          return SERVERS.every((h) => now?.targets.includes(h)) ? true : undefined;
        },
        ALERT_WITHIN_MS,
        "the scan alert names every server",
      );
      await new Promise((r) => setTimeout(r, 2_000));
      expect((await alerts()).filter((a) => a.source !== "laptop")).toEqual([]);
    });

    it("every contact that got no answer is marked; only the open port is established", async () => {
      const edges = await eventually(
        async () => {
          const e = await edgesFrom("laptop");
          return e.length === SERVERS.length * (CLOSED.length + 1) ? e : undefined;
        },
        10_000,
        "an edge from the laptop for every server and port it tried",
      );
      const open = edges.filter((e) => e.port === `tcp/${OPEN}`);
      expect(open.map((e) => e.outcome)).toEqual(SERVERS.map(() => "established"));
      const failed = edges.filter((e) => e.port !== `tcp/${OPEN}`);
      expect(failed).toHaveLength(SERVERS.length * CLOSED.length);
      // a closed port answers with a reset where nothing blocks; enforce drops the SYN first
      const expected = mode === "enforce" ? "unanswered" : "refused";
      expect(failed.filter((e) => e.outcome !== expected)).toEqual([]);
      if (mode === "enforce") expect(failed.filter((e) => e.verdict !== "blocked")).toEqual([]);
    });

    it("the recommendation holds the laptop back while its alert is open", async () => {
      const r = await recommend();
      expect(fromLaptop(r)).toEqual([]);
      expect(r.leftOut.heldBack).toBeGreaterThan(0);
      expect(JSON.stringify(r.rules)).not.toMatch(/tcp\/(2\d|3\d|4\d|5\d|6[01])"/);
    });

    it("acknowledged, the laptop is learned with the one port that answered", async () => {
      for (const a of (await alerts()).filter((x) => x.source === "laptop")) {
        await cli("alerts", "ack", a.id);
      }
      const r = await recommend();
      const rules = fromLaptop(r);
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.flatMap((x) => x.services).sort()).toEqual(rules.map(() => `tcp/${OPEN}`));
      expect(r.leftOut.heldBack).toBe(0);
      expect(JSON.stringify(r.rules)).not.toMatch(/tcp\/(2\d|3\d|4\d|5\d|6[01])"/);
    });
  });
}
