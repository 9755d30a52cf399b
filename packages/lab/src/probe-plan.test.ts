import { describe, expect, it } from "vitest";
import { assembleResults, planProbes, type Verdict } from "./probe-plan.js";
import type { StateHost } from "./state.js";

const host = (name: string, address: string, listen: string[]): StateHost => ({
  name,
  netns: `mseg-t-${name}`,
  address,
  address6: `2001:2::${address.split(".").join(":")}`,
  listen,
  managed: true,
  mode: "enforce",
});

const hosts = [
  host("web", "198.18.0.10", ["tcp/80", "udp/53"]),
  host("db", "198.18.0.11", ["tcp/5432"]),
  host("client", "198.18.0.12", []),
];

describe("planProbes", () => {
  it("plans every ordered pair of distinct hosts and every destination port", () => {
    const plans = planProbes(hosts);
    expect(plans.map((p) => [p.from, p.targets.length])).toEqual([
      ["web", 1],
      ["db", 2],
      ["client", 3],
    ]);
    expect(plans[0]?.targets[0]).toEqual({
      to: "db",
      address: "198.18.0.11",
      proto: "tcp",
      port: 5432,
    });
  });

  it("uses the IPv6 addresses for family 6", () => {
    const plans = planProbes(hosts, 6);
    expect(plans[0]?.targets[0]?.address).toBe("2001:2::198:18:0:11");
  });
});

describe("assembleResults", () => {
  it("pairs verdicts with targets and sorts by from, to, protocol, port number", () => {
    const plans = planProbes([...hosts, host("app", "198.18.0.13", ["tcp/8080", "tcp/443"])]);
    const verdicts = plans.map((p) =>
      p.targets.map((t): Verdict => (t.port === 5432 ? "allowed" : "blocked")),
    );
    const results = assembleResults(plans, verdicts);
    expect(results).toHaveLength(3 + 4 + 5 + 3);
    expect(results.slice(0, 3)).toEqual([
      { from: "app", to: "db", port: "tcp/5432", verdict: "allowed" },
      { from: "app", to: "web", port: "tcp/80", verdict: "blocked" },
      { from: "app", to: "web", port: "udp/53", verdict: "blocked" },
    ]);
    const clientToApp = results.filter((r) => r.from === "client" && r.to === "app");
    expect(clientToApp.map((r) => r.port)).toEqual(["tcp/443", "tcp/8080"]);
  });

  it("counts a missing answer as blocked", () => {
    const plans = planProbes(hosts.slice(0, 2));
    expect(assembleResults(plans, [[], []]).every((r) => r.verdict === "blocked")).toBe(true);
  });
});
