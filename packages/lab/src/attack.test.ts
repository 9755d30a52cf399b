// What each lab attack tries (the plan is pure; the privileged test runs real attempts).
import { describe, expect, it } from "vitest";
import { parsePorts, planAttack, SPREAD_PORTS } from "./attack.js";
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
});
