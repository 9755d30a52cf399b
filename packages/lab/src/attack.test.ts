// What each lab attack tries (the plan is pure; the privileged test runs real attempts).
import { describe, expect, it } from "vitest";
import {
  paced,
  parsePorts,
  planAttack,
  SPREAD_PORTS,
  VULN_SCAN_TCP,
  VULN_SCAN_UDP,
} from "./attack.js";
import type { StateHost } from "./state.js";

const host = (name: string, i: number, listen: string[] = ["tcp/80"]): StateHost => ({
  name,
  netns: `mseg-t-${name}`,
  address: `198.18.0.${i}`,
  address6: `2001:2::${i}`,
  listen,
  managed: true,
  mode: "enforce",
});
const hosts = [host("web-1", 10), host("db-1", 20), host("honey", 99, ["tcp/445", "udp/53"])];

describe("planAttack", () => {
  it("scan: every port of the range on one target", () => {
    const t = planAttack({ kind: "scan", from: "web-1", to: ["db-1"], ports: "1-1024" }, hosts);
    expect(t).toHaveLength(1024);
    expect(new Set(t.map((x) => x.address))).toEqual(new Set(["198.18.0.20"]));
    expect(t[0]).toEqual({ to: "db-1", address: "198.18.0.20", proto: "tcp", port: 1 });
  });

  it("sweep: one port on every other host", () => {
    const t = planAttack({ kind: "sweep", from: "web-1", ports: "3389" }, hosts);
    expect(t.map((x) => `${x.to}:${x.port}`)).toEqual(["db-1:3389", "honey:3389"]);
  });

  it("spread: file-sharing and remote-execution ports on every other host", () => {
    const t = planAttack({ kind: "spread", from: "web-1" }, hosts);
    expect(t).toHaveLength(2 * SPREAD_PORTS.length);
  });

  it("decoy: what the decoy listens on (tcp), an address in the lab range works too", () => {
    expect(planAttack({ kind: "decoy", from: "web-1", to: ["honey"] }, hosts)).toEqual([
      { to: "honey", address: "198.18.0.99", proto: "tcp", port: 445 },
    ]);
    expect(planAttack({ kind: "decoy", from: "web-1", to: ["198.18.7.7"] }, hosts)[0]?.port).toBe(
      445,
    );
    expect(() => planAttack({ kind: "decoy", from: "web-1" }, hosts)).toThrow(/--to DECOY/);
  });

  it("names a wrong host, target or port range", () => {
    expect(() => planAttack({ kind: "scan", from: "nope" }, hosts)).toThrow(/--from "nope"/);
    expect(() => planAttack({ kind: "scan", from: "web-1", to: ["8.8.8.8"] }, hosts)).toThrow(
      /198\.18\.0\.0\/15/,
    );
    expect(() => parsePorts("0-10")).toThrow(/--ports "0-10"/);
    expect(parsePorts("22,445,3389-3390")).toEqual([22, 445, 3389, 3390]);
  });

  it("slow-scan: one attempt per interval over the duration, ports of one host first", () => {
    const t = planAttack(
      { kind: "slow-scan", from: "web-1", to: ["db-1", "honey"], ports: "1-3" },
      hosts,
    );
    // defaults: 5 min at one every 10 s = 30 steps, more than the 6 there are
    expect(t.map((x) => `${x.to}:${x.port}`)).toEqual([
      "db-1:1",
      "db-1:2",
      "db-1:3",
      "honey:1",
      "honey:2",
      "honey:3",
    ]);
    const paced10 = planAttack(
      { kind: "slow-scan", from: "web-1", intervalMs: 10_000, durationMs: 300_000 },
      hosts,
    );
    expect(paced10).toHaveLength(30);
    expect(paced10[29]).toEqual({ to: "db-1", address: "198.18.0.20", proto: "tcp", port: 30 });
    expect(planAttack({ kind: "slow-scan", from: "web-1", durationMs: 1 }, hosts)).toHaveLength(1);
  });

  it("slow-scan pacing is bounded and belongs to slow-scan only", () => {
    const slow = { kind: "slow-scan" as const, from: "web-1" };
    expect(() => planAttack({ ...slow, intervalMs: 50 }, hosts)).toThrow(/--interval 50 ms/);
    expect(() => planAttack({ ...slow, durationMs: 90_000_000 }, hosts)).toThrow(/--duration/);
    expect(() => planAttack({ kind: "scan", from: "web-1", intervalMs: 1000 }, hosts)).toThrow(
      /slow-scan only, not scan/,
    );
  });

  it("vuln-scan: well-known TCP and UDP service ports on every other host", () => {
    const t = planAttack({ kind: "vuln-scan", from: "web-1" }, hosts);
    const perHost = VULN_SCAN_TCP.length + VULN_SCAN_UDP.length;
    expect(t).toHaveLength(2 * perHost);
    expect(t.slice(0, perHost).every((x) => x.to === "db-1")).toBe(true);
    expect(t.filter((x) => x.proto === "udp").map((x) => x.port)).toEqual([
      ...VULN_SCAN_UDP,
      ...VULN_SCAN_UDP,
    ]);
    expect(t).toContainEqual({ to: "honey", address: "198.18.0.99", proto: "tcp", port: 445 });
    const narrow = planAttack({ kind: "vuln-scan", from: "web-1", ports: "22,443" }, hosts);
    expect(narrow.map((x) => `${x.to} ${x.proto}/${x.port}`)).toEqual([
      "db-1 tcp/22",
      "db-1 tcp/443",
      "honey tcp/22",
      "honey tcp/443",
    ]);
  });
});

describe("paced", () => {
  it("starts attempts on a fixed schedule, even when one takes longer than the gap", async () => {
    const started: number[] = [];
    const t0 = performance.now();
    const verdicts = await paced([1, 2, 3, 4], 60, async (one) => {
      started.push(performance.now() - t0);
      // the second attempt runs past the third's start time
      await new Promise((r) => setTimeout(r, one[0] === 2 ? 90 : 5));
      return one.map((n) => `v${n}`);
    });
    expect(verdicts).toEqual(["v1", "v2", "v3", "v4"]);
    expect(started[1]).toBeGreaterThanOrEqual(59);
    expect(started[2]).toBeGreaterThanOrEqual(150 - 5); // right after the slow one
    expect(started[3]).toBeGreaterThanOrEqual(179);
    expect(started[3]).toBeLessThan(260);
  });
});
