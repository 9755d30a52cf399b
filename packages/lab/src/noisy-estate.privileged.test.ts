// The noisy estate (testdata/scenarios/noisy-estate.yaml) comes up, and its lab holds: a probe
// while the background traffic runs finds every pair allowed (learn mode), the traffic itself
// sees nothing blocked, and the scanner's and the spare hosts' attacks find exactly what
// listens.
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { labAttack, VULN_SCAN_TCP, VULN_SCAN_UDP } from "./attack.js";
import { labDown, labNamespaces, labProbe, labUp, readState } from "./index.js";
import { scenario, tempStateDir } from "./testing/lab-fixtures.js";
import { labTrafficStart, labTrafficStatus, labTrafficStop } from "./traffic/control.js";

const dir = tempStateDir();

describePrivileged("the noisy estate: 25 hosts, background traffic, a scanner", () => {
  let upMs = 0;
  beforeAll(async () => {
    await labDown({ dir });
    upMs = (await labUp(scenario("noisy-estate"), { dir })).ms;
    await labTrafficStart({ dir });
  }, 180_000);
  afterAll(async () => {
    await labTrafficStop({ dir });
    await labDown({ dir });
    expect(await labNamespaces()).toEqual([]);
  });

  it("a probe while the background traffic runs finds every pair allowed", async () => {
    const hosts = readState(dir)?.hosts ?? [];
    expect(hosts).toHaveLength(25);
    const started = Date.now();
    const { results } = await labProbe({ dir });
    const probeMs = Date.now() - started;
    const ports = hosts.reduce((n, h) => n + h.listen.length, 0);
    expect(results).toHaveLength(ports * (hosts.length - 1));
    expect(results.filter((r) => r.verdict === "blocked")).toEqual([]);
    console.log(`noisy estate: lab up ${upMs} ms; probe of ${results.length} pairs ${probeMs} ms`);
  });

  it("the background traffic runs its plan with nothing blocked", async () => {
    await new Promise((r) => setTimeout(r, 3000));
    const status = labTrafficStatus({ dir });
    expect(status.running).toBe(true);
    expect(status.flows).toHaveLength(182);
    const attempts = status.flows.reduce((n, f) => n + f.attempts, 0);
    expect(attempts).toBeGreaterThan(50);
    const wrong = status.flows.filter((f) => f.blocked > 0 || f.errors > 0);
    expect(wrong).toEqual([]);
  });

  it("vuln-scan from the scanner finds exactly the scanned ports that listen, on every host", async () => {
    const hosts = readState(dir)?.hosts ?? [];
    const report = await labAttack({ kind: "vuln-scan", from: "scanner-1", dir, timeoutMs: 1000 });
    const scanned = new Set([
      ...VULN_SCAN_TCP.map((p) => `tcp/${p}`),
      ...VULN_SCAN_UDP.map((p) => `udp/${p}`),
    ]);
    const listening = hosts
      .filter((h) => h.name !== "scanner-1")
      .flatMap((h) => h.listen.filter((l) => scanned.has(l)).map((l) => `${h.name} ${l}`));
    expect(report.attempts).toBe(24 * scanned.size);
    expect(report.connected.map((c) => `${c.to} ${c.port}`).sort()).toEqual(listening.sort());
    expect(listening).toContain("dns-1 udp/53");
    expect(listening).toContain("internet tcp/443");
  });

  it("slow-scan from a spare host makes one attempt per interval", async () => {
    const seen: string[] = [];
    const report = await labAttack({
      kind: "slow-scan",
      from: "spare-1",
      to: ["db-1"],
      ports: "5430-5440",
      intervalMs: 300,
      durationMs: 1500,
      dir,
      onAttempt: (r) => seen.push(`${r.port} ${r.verdict}`),
    });
    expect(report.attempts).toBe(5);
    expect(seen).toEqual([
      "tcp/5430 blocked",
      "tcp/5431 blocked",
      "tcp/5432 allowed",
      "tcp/5433 blocked",
      "tcp/5434 blocked",
    ]);
    expect(report.ms).toBeGreaterThanOrEqual(1200);
  });
});
