// Real kernel, real connections: a server namespace enforcing RuleSets against a client
// namespace that has an allowed address (.2 / ::2) and a not-allowed one (.3 / ::3).

import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describePrivileged,
  type Netns,
  NetnsGroup,
  probeTcp,
  probeUdp,
  type Servers,
  sh,
  startServers,
} from "../testing/index.js";
import { joinNamespaces } from "../testing/netns.js";
import { serverRuleSet } from "./fixtures.test-helpers.js";
import { NftDriver } from "./index.js";

const SERVER = { v4: "198.18.0.1", v6: "2001:2:0:0::1" };
const GOOD = { v4: "198.18.0.2", v6: "2001:2::2" };
const BAD = { v4: "198.18.0.3", v6: "2001:2::3" };
const ALLOW_GOOD = { v4: [`${GOOD.v4}/32`], v6: [`${GOOD.v6}/128`] };

describePrivileged("nft enforcement between namespaces", () => {
  const group = new NetnsGroup("msegt-nft");
  const servers: Servers[] = [];
  let server: Netns;
  let client: Netns;
  let driver: NftDriver;

  beforeAll(async () => {
    server = await group.create();
    client = await group.create();
    await joinNamespaces(server, client, 0);
    await sh("ip", ["-n", client.name, "addr", "add", `${BAD.v4}/24`, "dev", "mseg0"]);
    await sh("ip", ["-n", client.name, "addr", "add", `${BAD.v6}/64`, "dev", "mseg0", "nodad"]);
    servers.push(await startServers(server, [80, 8000, 8080, 8081], 5353));
    servers.push(await startServers(client, [80]));
    driver = new NftDriver({ netns: server.name });
  });

  afterAll(async () => {
    for (const s of servers) s.stop();
    await group.deleteAll();
  });

  const tcp = (from: string, host: string, port: number) =>
    probeTcp(client, host, port, { from, ms: 700 });

  it("connects everywhere before any RuleSet", async () => {
    expect(await tcp(BAD.v4, SERVER.v4, 80)).toBe(true);
    expect(await tcp(BAD.v6, SERVER.v6, 80)).toBe(true);
  });

  it("lets the allowed peer in and blocks others, IPv4 and IPv6", async () => {
    expect((await driver.apply(serverRuleSet(ALLOW_GOOD))).kind).toBe("full");
    expect(await tcp(GOOD.v4, SERVER.v4, 80)).toBe(true);
    expect(await tcp(GOOD.v6, SERVER.v6, 80)).toBe(true);
    expect(await tcp(BAD.v4, SERVER.v4, 80)).toBe(false);
    expect(await tcp(BAD.v6, SERVER.v6, 80)).toBe(false);
    expect(await tcp(GOOD.v4, SERVER.v4, 8000)).toBe(false);
  });

  it("passes established replies while outbound is default deny, blocks new outbound", async () => {
    await driver.apply(serverRuleSet(ALLOW_GOOD, { outboundDefault: "deny" }));
    expect(await tcp(GOOD.v4, SERVER.v4, 80)).toBe(true);
    expect(await probeTcp(server, GOOD.v4, 80, { ms: 700 })).toBe(false);
    await driver.apply(serverRuleSet(ALLOW_GOOD, { outboundDefault: "allow" }));
    expect(await probeTcp(server, GOOD.v4, 80, { ms: 700 })).toBe(true);
  });

  it("matches port ranges", async () => {
    await driver.apply(
      serverRuleSet(ALLOW_GOOD, {
        ports: [
          [80, 80],
          [8000, 8080],
        ],
      }),
    );
    expect(await tcp(GOOD.v4, SERVER.v4, 8000)).toBe(true);
    expect(await tcp(GOOD.v6, SERVER.v6, 8080)).toBe(true);
    expect(await tcp(GOOD.v4, SERVER.v4, 8081)).toBe(false);
  });

  it("allows UDP from the allowed peer only (replies via conntrack)", async () => {
    await driver.apply(serverRuleSet(ALLOW_GOOD, { udp: 5353 }));
    expect(await probeUdp(client, SERVER.v4, 5353, { from: GOOD.v4 })).toBe(true);
    expect(await probeUdp(client, SERVER.v6, 5353, { from: GOOD.v6 })).toBe(true);
    expect(await probeUdp(client, SERVER.v4, 5353, { from: BAD.v4, ms: 700 })).toBe(false);
  });

  it("test mode blocks nothing but counts would-be drops", async () => {
    await driver.apply(serverRuleSet(ALLOW_GOOD, { mode: "test" }));
    expect(await tcp(BAD.v4, SERVER.v4, 80)).toBe(true);
    expect(await tcp(BAD.v6, SERVER.v6, 8081)).toBe(true);
    const counters = await driver.counters();
    const wouldDrop = counters.find((c) => c.chain === "input" && c.ruleId === "mseg:default");
    expect(wouldDrop?.packets).toBeGreaterThanOrEqual(2);
  });

  it("flips a real connection with a one-element delta", async () => {
    expect((await driver.apply(serverRuleSet(ALLOW_GOOD))).kind).toBe("full");
    expect(await tcp(BAD.v4, SERVER.v4, 80)).toBe(false);
    const swapped = { v4: [`${BAD.v4}/32`], v6: [`${GOOD.v6}/128`] };
    expect((await driver.apply(serverRuleSet(swapped))).kind).toBe("delta");
    expect(await tcp(BAD.v4, SERVER.v4, 80)).toBe(true);
    expect(await tcp(GOOD.v4, SERVER.v4, 80)).toBe(false);
  });
});
