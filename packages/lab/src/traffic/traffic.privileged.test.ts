// Background traffic in the real kernel: `--once` opens exactly the plan's connections from the
// right hosts (seen in the destination's conntrack table), its verdicts agree with `lab probe`,
// and the driver runs, counts, stops, and dies with `lab down`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { labDown, labNamespaces, labProbe, labUp } from "../index.js";
import { hostNamespace } from "../naming.js";
import { isAlive } from "../sys/procs.js";
import { run } from "../sys/run.js";
import { tempStateDir } from "../testing/lab-fixtures.js";
import { labTrafficStart, labTrafficStatus, labTrafficStop } from "./control.js";
import { labTrafficOnce } from "./once.js";

const dir = tempStateDir();
const files = mkdtempSync(join(dir, "..", "mseg-traffic-scenario-"));
const scenarioFile = join(files, "scenario.yaml");
writeFileSync(
  scenarioFile,
  `name: tr
hosts:
  - { name: client, address: 198.18.5.10, labels: { role: client }, listen: [tcp/22] }
  - { name: web, address: 198.18.5.11, labels: { role: web }, listen: [tcp/80, udp/53] }
  - { name: db, address: 198.18.5.12, labels: { role: db }, listen: [tcp/5432] }
policy: [policy.yaml]
traffic:
  - { from: client, to: web, port: tcp/80, every: 300ms }
  - { from: client, to: web, port: udp/53, every: 300ms }
  - { from: web, to: db, port: tcp/5432, every: 300ms }
  - { from: client, to: db, port: tcp/5432, every: 300ms }
`,
);
writeFileSync(
  join(files, "policy.yaml"),
  `apiVersion: microseg/v1
rules:
  - { name: client-web, from: { role: client }, to: { role: web }, services: [tcp/80] }
  - { name: web-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
`,
);

/** conntrack entries in a host's namespace for one destination port (stdout of conntrack -L). */
async function tracked(host: string, proto: string, port: number): Promise<string> {
  const r = await run("ip", [
    "netns",
    "exec",
    hostNamespace("tr", host),
    "conntrack",
    "-L",
    "-p",
    proto,
    "--dport",
    String(port),
  ]);
  return r.stdout;
}

describePrivileged("lab traffic: real connections from the plan", () => {
  beforeAll(async () => {
    await labDown({ dir });
    await labUp(scenarioFile, { dir, direct: true });
  });
  afterAll(async () => {
    await labDown({ dir });
    rmSync(files, { recursive: true, force: true });
  });

  it("--once opens every flow once from its source, with the verdict the probe gives", async () => {
    const results = await labTrafficOnce({ dir });
    expect(results).toEqual([
      { from: "client", to: "web", port: "tcp/80", verdict: "allowed" },
      { from: "client", to: "web", port: "udp/53", verdict: "blocked" },
      { from: "web", to: "db", port: "tcp/5432", verdict: "allowed" },
      { from: "client", to: "db", port: "tcp/5432", verdict: "blocked" },
    ]);
    // the connections really reached their destination from the source's address; the
    // blocked one never did
    expect(await tracked("web", "tcp", 80)).toContain("src=198.18.5.10 dst=198.18.5.11");
    expect(await tracked("db", "tcp", 5432)).toContain("src=198.18.5.11 dst=198.18.5.12");
    expect(await tracked("db", "tcp", 5432)).not.toContain("src=198.18.5.10");
    // the same pairs, tried by lab probe, give the same verdicts
    const probe = (await labProbe({ dir })).results;
    for (const r of results) {
      expect(probe.find((p) => p.from === r.from && p.to === r.to && p.port === r.port)).toEqual(r);
    }
  });

  it("--once --host runs only the flows that touch that host", async () => {
    const results = await labTrafficOnce({ dir, hosts: ["db"] });
    expect(results.map((r) => `${r.from} -> ${r.to}`)).toEqual(["web -> db", "client -> db"]);
  });

  it("the driver runs the plan periodically, counts verdicts, stops, and starts only once", async () => {
    const started = await labTrafficStart({ dir });
    expect(started.running).toBe(true);
    expect((await labTrafficStart({ dir })).pid).toBe(started.pid);
    await new Promise((r) => setTimeout(r, 2500));
    const status = labTrafficStatus({ dir });
    const byFlow = Object.fromEntries(status.flows.map((f) => [`${f.from} ${f.to} ${f.port}`, f]));
    const web = byFlow["client web tcp/80"];
    // 300 ms ± 20 % over ~2.5 s (the status file is rewritten every second)
    expect(web?.attempts).toBeGreaterThanOrEqual(3);
    expect(web?.attempts).toBeLessThanOrEqual(12);
    expect(web).toMatchObject({ blocked: 0, errors: 0, last: "allowed" });
    expect(byFlow["client db tcp/5432"]).toMatchObject({ allowed: 0, errors: 0, last: "blocked" });
    const stopped = await labTrafficStop({ dir });
    expect(stopped.running).toBe(false);
    expect(isAlive(started.pid ?? 0)).toBe(false);
    expect(stopped.flows.find((f) => f.port === "tcp/80")?.attempts).toBeGreaterThanOrEqual(
      web?.attempts ?? 0,
    );
  });

  it("lab down ends a running driver with the lab", async () => {
    const { pid } = await labTrafficStart({ dir });
    expect(isAlive(pid ?? 0)).toBe(true);
    await labDown({ dir });
    expect(isAlive(pid ?? 0)).toBe(false);
    expect(await labNamespaces()).toEqual([]);
    expect(labTrafficStatus({ dir })).toEqual({ running: false, flows: [] });
  });
});
