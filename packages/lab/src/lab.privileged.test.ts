// The lab end to end, in the real kernel: scenarios come up, policy is enforced by nftables in
// each host's namespace, and the probe matrix shows exactly what policy allows.
// Every test leaves no lab namespace behind.
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { labDown, labExec, labNamespaces, labProbe, labUp } from "./index.js";
import { allowed, scenario, tempStateDir } from "./testing/lab-fixtures.js";

const dir = tempStateDir();

describePrivileged("lab: scenarios and their probe matrix", () => {
  beforeAll(async () => {
    await labDown({ dir });
  });
  afterEach(async () => {
    await labDown({ dir });
    expect(await labNamespaces()).toEqual([]);
  });
  afterAll(async () => {
    await labDown({ dir });
  });

  it("default deny: with no policy, managed hosts block everything both ways", async () => {
    await labUp(scenario("default-deny"), { dir });
    const { results } = await labProbe({ dir });
    expect(results).toHaveLength(3 * 5 + 3 * 2);
    expect(allowed(results)).toEqual([]);
  });

  it("labels, port ranges, UDP, and override-deny > allow > deny", async () => {
    await labUp(scenario("labels"), { dir });
    const expected = [
      "admin -> app tcp/22",
      "admin -> db udp/5353",
      "admin -> web tcp/22",
      "app -> db tcp/5432",
      "app -> db udp/5353",
      "web -> app tcp/8000",
      "web -> app tcp/8002",
      "web -> db udp/5353",
    ];
    expect(allowed((await labProbe({ dir })).results)).toEqual(expected);
    // the same policy holds for IPv6
    expect(allowed((await labProbe({ dir, family: 6 })).results)).toEqual(expected);
  });

  it("a rule inside a scope connects only workloads of that scope", async () => {
    await labUp(scenario("scopes"), { dir });
    expect(allowed((await labProbe({ dir })).results)).toEqual(["web-a -> db-a tcp/5432"]);
  });

  it("learn and test block nothing; enforce still denies by default", async () => {
    await labUp(scenario("modes"), { dir });
    expect(allowed((await labProbe({ dir })).results)).toEqual([
      "l -> t tcp/80",
      "l -> t udp/53",
      "t -> l tcp/80",
      "t -> l udp/53",
    ]);
  });

  it("Kubernetes semantics: inbound isolation closes inbound only", async () => {
    await labUp(scenario("kubernetes"), { dir });
    expect(allowed((await labProbe({ dir })).results)).toEqual([
      "a -> b tcp/80",
      "a -> c tcp/80",
      "b -> a tcp/80",
      "b -> c tcp/80",
      "c -> b tcp/80",
    ]);
  });

  it("lab exec runs in the host's namespace and passes the exit code through", async () => {
    await labUp(scenario("modes"), { dir });
    expect(
      await labExec("l", ["sh", "-c", "ip -4 addr show eth0 | grep -q 198.18."], {
        dir,
        stdio: "ignore",
      }),
    ).toBe(0);
    expect(await labExec("l", ["sh", "-c", "exit 7"], { dir, stdio: "ignore" })).toBe(7);
    await expect(labExec("nope", ["true"], { dir })).rejects.toMatchObject({
      code: "MSEG_LAB_UNKNOWN_HOST",
      message: expect.stringContaining("l, t, e"),
    });
  });

  it("probes a 10-host lab with 4 ports each (360 probes) in seconds", async () => {
    await labUp(scenario("ten-hosts"), { dir });
    const started = Date.now();
    const { results } = await labProbe({ dir });
    // one wave, then one more for what is silent (1 + 2 s; 360 attempts is a small first wave):
    // something is blocked here
    expect(Date.now() - started).toBeLessThan(6000);
    expect(results).toHaveLength(10 * 9 * 4);
    const ports = (from: string, to: string) =>
      results
        .filter((r) => r.from === from && r.to === to && r.verdict === "allowed")
        .map((r) => r.port);
    expect(ports("h0", "h1")).toEqual(["tcp/80", "tcp/443", "udp/53", "udp/123"]); // learn -> learn
    expect(ports("h6", "h7")).toEqual(["tcp/80", "udp/53"]); // enforce -> enforce, by rule
    expect(ports("h9", "h4")).toEqual(["tcp/80", "udp/53"]); // enforce -> learn: outbound rule
    expect(ports("h0", "h5")).toEqual([]); // learn -> enforce: default deny inbound
  });

  it("refuses a second lab while one is up", async () => {
    await labUp(scenario("modes"), { dir });
    await expect(labUp(scenario("scopes"), { dir })).rejects.toMatchObject({
      code: "MSEG_LAB_ALREADY_UP",
      message: expect.stringContaining("microseg lab down"),
    });
  });
});
