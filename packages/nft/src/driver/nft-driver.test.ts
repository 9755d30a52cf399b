import { MicrosegError } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { createFakeNft } from "../testing/fake-nft.js";
import { serverRuleSet } from "./fixtures.test-helpers.js";
import { NftDriver } from "./index.js";

function setup() {
  const fake = createFakeNft();
  const driver = new NftDriver({ allowRootNamespace: true, exec: fake.exec });
  return { fake, driver };
}

const clientsA = { v4: ["198.18.0.2/32"], v6: ["2001:2::2/128"] };
const a = serverRuleSet(clientsA);
const b = serverRuleSet({ v4: ["198.18.0.3/32"], v6: ["2001:2::2/128"] });

describe("NftDriver (fake nft twin)", () => {
  it("applies full first, then noop for the same hash, then delta for element changes", async () => {
    const { fake, driver } = setup();
    expect((await driver.apply(a)).kind).toBe("full");
    expect((await driver.apply(a)).kind).toBe("noop");
    expect((await driver.apply(b)).kind).toBe("delta");
    expect(fake.documents.at(-1)).toEqual({
      nftables: [
        {
          delete: {
            element: {
              family: "inet",
              table: "microseg",
              name: "clients_in_v4",
              elem: ["198.18.0.2"],
            },
          },
        },
        {
          add: {
            element: {
              family: "inet",
              table: "microseg",
              name: "clients_in_v4",
              elem: ["198.18.0.3"],
            },
          },
        },
      ],
    });
    expect((await driver.drift()).drifted).toBe(false);
  });

  it("does a full apply when the structure changes", async () => {
    const { driver } = setup();
    await driver.apply(a);
    expect((await driver.apply(serverRuleSet(clientsA, { mode: "test" }))).kind).toBe("full");
  });

  it("detects a flushed table, a deleted rule and edited elements, and repairs on apply", async () => {
    const { fake, driver } = setup();
    await driver.apply(a);
    const table = { family: "inet", name: "microseg" };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
    const flushed = await driver.drift();
    expect(flushed.drifted).toBe(true);
    expect(flushed.details.join("\n")).toMatch(/chain input: missing rule/);
    expect((await driver.apply(a)).kind).toBe("full");
    expect((await driver.drift()).drifted).toBe(false);
    const element = {
      family: "inet",
      table: "microseg",
      name: "clients_in_v4",
      elem: ["198.18.0.99"],
    };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ add: { element } }] }));
    expect((await driver.drift()).details).toEqual([
      "set clients_in_v4: unexpected element 198.18.0.99",
    ]);
  });

  it("drift({ elements: false }) checks structure from a terse listing, not elements", async () => {
    const { fake, driver } = setup();
    await driver.apply(a);
    const element = { family: "inet", table: "microseg", name: "clients_in_v4", elem: ["1.2.3.4"] };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ add: { element } }] }));
    const before = fake.documents.length;
    expect(await driver.drift({ elements: false })).toEqual({ drifted: false, details: [] });
    const table = { family: "inet", name: "microseg" };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
    const flushed = await driver.drift({ elements: false });
    expect(flushed.details.join("\n")).toMatch(/chain input: missing rule/);
    expect(fake.documents.length).toBe(before + 1);
  });

  it("sends the terse listings (baseline, structure drift) to listExec when given", async () => {
    const fake = createFakeNft();
    const listed: string[] = [];
    const driver = new NftDriver({
      allowRootNamespace: true,
      exec: fake.exec,
      listExec: (args) => {
        listed.push(args.join(" "));
        return fake.exec(args);
      },
    });
    await driver.apply(a);
    expect(await driver.drift({ elements: false })).toEqual({ drifted: false, details: [] });
    const table = { family: "inet", name: "microseg" };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
    expect((await driver.drift({ elements: false })).drifted).toBe(true);
    expect(listed).toEqual(["-j -t list ruleset", "-j -t list ruleset", "-j -t list ruleset"]);
  });

  it("reports a missing table", async () => {
    const { driver } = setup();
    await driver.apply(a);
    await driver.remove();
    expect(await driver.drift()).toEqual({ drifted: false, details: [] });
    await driver.apply(a);
    await new NftDriver({ allowRootNamespace: true, exec: setup().fake.exec }).remove();
    expect((await driver.drift()).drifted).toBe(false);
  });

  it("throws MSEG_NFT_APPLY_FAILED with nft's message and keeps the previous state", async () => {
    const { fake, driver } = setup();
    await driver.apply(a);
    const failing = new NftDriver({
      allowRootNamespace: true,
      exec: async (args, stdin) =>
        args.includes("-f")
          ? { code: 1, stdout: "", stderr: "Error: boom" }
          : fake.exec(args, stdin),
    });
    const err = await failing.apply(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).code).toBe("MSEG_NFT_APPLY_FAILED");
    expect((err as Error).message).toMatch(/boom/);
    expect(failing.applied).toBeUndefined();
    expect((await driver.drift()).drifted).toBe(false);
  });

  it("refuses the root namespace unless allowRootNamespace is set", async () => {
    const fake = createFakeNft();
    const driver = new NftDriver({ exec: fake.exec });
    await expect(driver.apply(a)).rejects.toThrow(/root network namespace/);
    await expect(new NftDriver({ netns: "../etc", exec: fake.exec }).apply(a)).rejects.toThrow(
      /not a valid/,
    );
    expect(fake.documents).toHaveLength(0);
  });
});
