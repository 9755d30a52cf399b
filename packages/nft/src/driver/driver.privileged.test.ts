// The driver against a real kernel: atomic replace, delta == full, drift, root refusal.

import type { RuleSet } from "@microseg/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FLOW_SET_PREFIX } from "../render/index.js";
import {
  describePrivileged,
  joinNamespaces,
  type Netns,
  NetnsGroup,
  probeTcp,
  type Servers,
  sh,
  startServers,
} from "../testing/index.js";
import { compareElements, compareStructure } from "./compare.js";
import { serverRuleSet } from "./fixtures.test-helpers.js";
import { NftDriver } from "./index.js";
import { parseTableListing, type TableState } from "./table-state.js";

const SERVER = "198.18.0.1";
const GOOD = "198.18.0.2";
const BAD = "198.18.0.3";
const allow = (...v4: string[]) => ({ v4: v4.map((a) => `${a}/32`), v6: [] });

async function readBack(ns: Netns): Promise<TableState> {
  return parseTableListing(await ns.exec("nft", ["-j", "list", "table", "inet", "microseg"]));
}

/** Structure and the elements of the sets a RuleSet fills (traffic fills the flow sets). */
function differences(a: TableState, b: TableState): string[] {
  const filled = (t: TableState) =>
    new Map([...t.elements].filter(([name]) => !name.startsWith(FLOW_SET_PREFIX)));
  return [
    ...compareStructure(a, b),
    ...compareElements(filled(a), filled(b)),
    ...compareElements(filled(b), filled(a)),
  ];
}

describePrivileged("nft driver on a real kernel", () => {
  const group = new NetnsGroup("msegt-nftd");
  let servers: Servers;
  let server: Netns;
  let client: Netns;

  beforeAll(async () => {
    server = await group.create();
    client = await group.create();
    await joinNamespaces(server, client, 0);
    await sh("ip", ["-n", client.name, "addr", "add", `${BAD}/24`, "dev", "mseg0"]);
    servers = await startServers(server, [80]);
  });

  afterAll(async () => {
    servers?.stop();
    await group.deleteAll();
  });

  it("keeps the previous table when nft rejects a RuleSet", async () => {
    const driver = new NftDriver({ netns: server.name });
    await driver.apply(serverRuleSet(allow(GOOD)));
    const before = await readBack(server);
    const overlapping = serverRuleSet({ v4: ["198.18.0.0/24", "198.18.0.0/25"], v6: [] });
    const err = (await driver.apply(overlapping).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: "MSEG_NFT_APPLY_FAILED" });
    expect(err?.message).toMatch(/interval/);
    expect(differences(before, await readBack(server))).toEqual([]);
    expect(await driver.drift()).toEqual({ drifted: false, details: [] });
    expect(await probeTcp(client, SERVER, 80, { from: GOOD })).toBe(true);
  });

  it("replaces the table with no open or wrongly closed window", async () => {
    const driver = new NftDriver({ netns: server.name });
    const variants = [
      serverRuleSet(allow(GOOD)),
      serverRuleSet(allow(GOOD), {
        ports: [
          [80, 80],
          [8000, 8001],
        ],
      }),
    ];
    let applying = true;
    const applies = (async () => {
      for (let i = 0; i < 30; i++) await driver.apply(variants[i % 2] as RuleSet);
      applying = false;
    })();
    const outcomes: string[] = [];
    while (applying) {
      const [good, bad] = await Promise.all([
        probeTcp(client, SERVER, 80, { from: GOOD, ms: 1_000 }),
        probeTcp(client, SERVER, 80, { from: BAD, ms: 300 }),
      ]);
      outcomes.push(`${good}/${bad}`);
    }
    await applies;
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(["true/false"]));
  });

  it("delta on top of full(prev) reads back exactly like full(next)", async () => {
    const prev = serverRuleSet({ v4: ["198.18.0.2/32", "198.18.4.0/24"], v6: ["2001:2::/48"] });
    const next = serverRuleSet({ v4: ["198.18.0.3/32", "198.18.4.0/23"], v6: ["2001:2::5/128"] });
    const driver = new NftDriver({ netns: server.name });
    await driver.remove();
    expect((await driver.apply(prev)).kind).toBe("full");
    expect((await driver.apply(next)).kind).toBe("delta");
    const viaDelta = await readBack(server);
    await driver.remove();
    expect((await driver.apply(next)).kind).toBe("full");
    expect(differences(viaDelta, await readBack(server))).toEqual([]);
  });

  it("detects a flushed table and repairs it on the next apply", async () => {
    const driver = new NftDriver({ netns: server.name });
    const rs = serverRuleSet(allow(GOOD));
    await driver.apply(rs);
    await server.exec("nft", ["flush", "table", "inet", "microseg"]);
    const report = await driver.drift();
    expect(report.drifted).toBe(true);
    expect(report.details.join("\n")).toMatch(/chain input: missing rule/);
    expect(await probeTcp(client, SERVER, 80, { from: BAD, ms: 500 })).toBe(true);
    expect((await driver.apply(rs)).kind).toBe("full");
    expect((await driver.drift()).drifted).toBe(false);
    expect(await probeTcp(client, SERVER, 80, { from: BAD, ms: 500 })).toBe(false);
  });

  it("detects one deleted rule, one edited element and a deleted table", async () => {
    const driver = new NftDriver({ netns: server.name });
    await driver.apply(serverRuleSet(allow(GOOD)));
    const listing = JSON.parse(
      await server.exec("nft", ["-j", "-a", "list", "chain", "inet", "microseg", "input"]),
    );
    const rule = listing.nftables.find(
      (i: { rule?: { comment?: string } }) => i.rule?.comment === "mseg:default",
    );
    await server.exec("nft", [
      "delete",
      "rule",
      "inet",
      "microseg",
      "input",
      "handle",
      String(rule.rule.handle),
    ]);
    expect((await driver.drift()).details).toEqual([
      expect.stringMatching(/^chain input: missing rule .*mseg:default/),
    ]);
    await driver.apply(serverRuleSet(allow(GOOD)));
    await server.exec("nft", [
      "add",
      "element",
      "inet",
      "microseg",
      "clients_in_v4",
      "{ 198.18.0.3 }",
    ]);
    expect((await driver.drift()).details).toEqual([
      "set clients_in_v4: unexpected element 198.18.0.3",
    ]);
    await server.exec("nft", ["delete", "table", "inet", "microseg"]);
    expect((await driver.drift()).details).toEqual(["table inet microseg is missing"]);
    expect((await driver.apply(serverRuleSet(allow(GOOD)))).kind).toBe("full");
    await driver.remove();
    await expect(server.exec("nft", ["list", "table", "inet", "microseg"])).rejects.toThrow();
  });

  it("ignores the recording sets' elements that traffic adds, but not a change to them", async () => {
    const driver = new NftDriver({ netns: server.name });
    await driver.remove();
    await driver.apply(serverRuleSet(allow(GOOD)));
    for (let i = 0; i < 3; i++) {
      expect(await probeTcp(client, SERVER, 80, { from: BAD, ms: 300 })).toBe(false);
    }
    const recorded = JSON.parse(
      await server.exec("nft", ["-j", "list", "set", "inet", "microseg", "flow-deny-in-v4"]),
    ).nftables[1].set.elem;
    expect(recorded).toHaveLength(1);
    expect(recorded[0].elem.val.concat.slice(0, 2)).toEqual([BAD, SERVER]);
    expect(await driver.drift()).toEqual({ drifted: false, details: [] });
    expect(await driver.drift({ elements: false })).toEqual({ drifted: false, details: [] });
    expect((await driver.apply(serverRuleSet(allow(GOOD)))).kind).toBe("noop");

    await server.exec("nft", ["flush", "chain", "inet", "microseg", "flow-deny-in"]);
    await server.exec("nft", ["delete", "set", "inet", "microseg", "flow-deny-in-v4"]);
    const details = (await driver.drift({ elements: false })).details.join("\n");
    expect(details).toMatch(/set flow-deny-in-v4 is missing/);
    expect(details).toMatch(/chain flow-deny-in: missing rule/);
    expect((await driver.apply(serverRuleSet(allow(GOOD)))).kind).toBe("full");
    expect(await driver.drift()).toEqual({ drifted: false, details: [] });
  });

  it("refuses the root namespace, by default and through a netns name bound to it", async () => {
    const rs = serverRuleSet(allow(GOOD));
    await expect(new NftDriver({}).apply(rs)).rejects.toThrow(/root network namespace/);
    const alias = `msegt-rootalias-${process.pid}`;
    await sh("ip", ["netns", "attach", alias, String(process.pid)]);
    try {
      await expect(new NftDriver({ netns: alias }).apply(rs)).rejects.toThrow(
        /root network namespace/,
      );
    } finally {
      await sh("ip", ["netns", "delete", alias]);
    }
    expect(await sh("nft", ["list", "tables"])).not.toMatch(/microseg/);
  });
});
