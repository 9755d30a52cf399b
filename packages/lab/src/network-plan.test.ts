// What `lab up` asks of `ip` and `bridge`: every endpoint knows every other one as a permanent
// neighbour under the MAC its veth really gets, and the bridge knows every MAC's port.
import { describe, expect, it } from "vitest";
import { macFor, planNetwork } from "./network-plan.js";

const hosts = [
  { name: "web", address: "198.18.0.10", address6: "2001:2::198:18:0:10" },
  { name: "db", address: "198.19.255.254", address6: "2001:2::198:19:255:254" },
  { name: "app", address: "198.18.1.10", address6: "2001:2::198:18:1:10" },
];

/** `neigh replace ADDR lladdr MAC dev eth0 nud permanent` -> [ADDR, MAC] */
function neighbours(lines: readonly string[]): [string, string][] {
  return lines
    .filter((l) => l.startsWith("neigh "))
    .map((l) => {
      const m = /^neigh replace (\S+) lladdr (\S+) dev eth0 nud permanent$/.exec(l);
      if (m === null) throw new Error(`unexpected neighbour line: ${l}`);
      return [m[1] ?? "", m[2] ?? ""];
    });
}

describe("network plan", () => {
  it("derives a locally administered unicast MAC from the IPv4 address", () => {
    expect(macFor("198.18.1.10")).toBe("02:00:c6:12:01:0a");
    expect(macFor("198.19.255.254")).toBe("02:00:c6:13:ff:fe");
    expect(macFor("198.18.0.1")).toBe("02:00:c6:12:00:01");
  });

  it("gives each host every other endpoint as a permanent neighbour, IPv4 and IPv6", () => {
    const plan = planNetwork("shop", hosts, true);
    const web = plan.endpoints.find((e) => e.netns === "mseg-shop-web");
    expect(neighbours(web?.lines ?? []).sort()).toEqual(
      [
        ["198.19.255.254", "02:00:c6:13:ff:fe"],
        ["2001:2::198:19:255:254", "02:00:c6:13:ff:fe"],
        ["198.18.1.10", "02:00:c6:12:01:0a"],
        ["2001:2::198:18:1:10", "02:00:c6:12:01:0a"],
        ["198.18.0.1", "02:00:c6:12:00:01"],
      ].sort(),
    );
  });

  it("gives the controller every host's IPv4 address only, and no entry for itself", () => {
    const plan = planNetwork("shop", hosts, true);
    const ctl = plan.endpoints.find((e) => e.netns === "mseg-shop.ctl");
    expect(neighbours(ctl?.lines ?? []).map(([a]) => a)).toEqual([
      "198.18.0.10",
      "198.19.255.254",
      "198.18.1.10",
    ]);
  });

  it("uses one MAC per endpoint for its veth, the bridge's FDB and the others' neighbour entries", () => {
    const plan = planNetwork("shop", hosts, true);
    const vethMacs = plan.bridge
      .filter((l) => l.includes(" type veth "))
      .map((l) => /^link add (\S+) .* address (\S+) netns (\S+)$/.exec(l)?.slice(1));
    expect(vethMacs).toEqual([
      ["h0", "02:00:c6:12:00:0a", "mseg-shop-web"],
      ["h1", "02:00:c6:13:ff:fe", "mseg-shop-db"],
      ["h2", "02:00:c6:12:01:0a", "mseg-shop-app"],
      ["c0", "02:00:c6:12:00:01", "mseg-shop.ctl"],
    ]);
    expect(plan.fdb).toEqual(
      (vethMacs as string[][]).map(([port, mac]) => `fdb add ${mac} dev ${port} master static`),
    );
    const known = new Set((vethMacs as string[][]).map(([, mac]) => mac));
    for (const e of plan.endpoints) {
      for (const [, mac] of neighbours(e.lines)) expect(known.has(mac)).toBe(true);
    }
  });

  it("brings addresses and the link up before adding neighbours, in every namespace", () => {
    const plan = planNetwork("shop", hosts, false);
    expect(plan.namespaces).toEqual([
      "mseg-shop",
      "mseg-shop-web",
      "mseg-shop-db",
      "mseg-shop-app",
    ]);
    for (const e of plan.endpoints) {
      const up = e.lines.indexOf("link set eth0 up");
      const firstNeighbour = e.lines.findIndex((l) => l.startsWith("neigh "));
      expect(up).toBeGreaterThan(0);
      expect(firstNeighbour).toBeGreaterThan(up);
      // two other hosts, two families each; no controller without one
      expect(neighbours(e.lines)).toHaveLength(4);
    }
  });

  it("grows as N² neighbour lines: 50 hosts and a controller", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({
      name: `h${i}`,
      address: `198.18.0.${10 + i}`,
      address6: `2001:2::198:18:0:${10 + i}`,
    }));
    const plan = planNetwork("big", many, true);
    const total = plan.endpoints.reduce((n, e) => n + neighbours(e.lines).length, 0);
    // each host: 49 hosts x 2 families + the controller; the controller: 50
    expect(total).toBe(50 * (49 * 2 + 1) + 50);
    expect(new Set(plan.fdb).size).toBe(51);
  });
});
