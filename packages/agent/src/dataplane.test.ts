import type { ManagementAccess } from "@microseg/core";
import { NftDriver } from "@microseg/nft";
import { createFakeNft, type FakeNft } from "@microseg/nft/testing";
import { describe, expect, it } from "vitest";
import { DataplaneManager, type DesiredPolicy } from "./dataplane.js";
import type { LastGood } from "./state-store.js";
import { StatusReporter } from "./status-reporter.js";
import { memoryLog, serverRuleSet } from "./testing/index.js";

const mgmt = { v4: ["198.18.9.0/24"], v6: [] };

function setup(fake: FakeNft = createFakeNft(), batchMs = 50) {
  const stored: LastGood[] = [];
  const reporter = new StatusReporter(() => undefined);
  const drivers: NftDriver[] = [];
  const accesses: ManagementAccess[] = [];
  const dataplane = new DataplaneManager({
    driverFor: (management, managementAccess) => {
      const d = new NftDriver({
        management,
        managementAccess,
        allowRootNamespace: true,
        exec: fake.exec,
      });
      drivers.push(d);
      accesses.push(managementAccess);
      return d;
    },
    store: { writeLastGood: async (lg) => void stored.push(lg) },
    reporter,
    log: memoryLog().log,
    controllerHosts: ["198.18.9.5", "198.18.0.1"],
    controllerChannel: [{ proto: "tcp", ranges: [[8443, 8443]] }],
    batchMs,
  });
  return { fake, stored, reporter, dataplane, drivers, accesses };
}

const policy = (revision: number, port: number): DesiredPolicy => ({
  revision,
  ruleSet: serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [port]),
  management: mgmt,
  source: "controller",
});

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe("DataplaneManager", () => {
  it("batches updates: several onUpdate calls in one window apply only the newest", async () => {
    const { fake, stored, reporter, dataplane } = setup();
    await dataplane.flush(); // nothing pending: no apply
    dataplane.onUpdate(policy(1, 80));
    await dataplane.flush();
    dataplane.onUpdate(policy(2, 81));
    dataplane.onUpdate(policy(3, 82));
    dataplane.onUpdate(policy(4, 83));
    await until(() => stored.length === 2);
    expect(fake.documents).toHaveLength(2);
    expect(stored.map((s) => s.revision)).toEqual([1, 4]);
    expect(dataplane.enforced?.revision).toBe(4);
    expect(reporter.pending().applied).toMatchObject({ revision: 4, ok: true });
  });

  it("adds the controller's addresses to the management set unless a prefix covers them", async () => {
    const { fake, dataplane } = setup();
    dataplane.onUpdate(policy(1, 80));
    await dataplane.flush();
    const text = JSON.stringify(fake.documents[0]);
    expect(text).toContain('"198.18.0.1"');
    expect(text).not.toContain('"198.18.9.5"');
  });

  it("keeps the previous table and reports when nft rejects a RuleSet", async () => {
    const fake = createFakeNft();
    const picky: FakeNft = {
      ...fake,
      exec: async (args, stdin) =>
        stdin?.includes("bad-rule")
          ? { code: 1, stdout: "", stderr: "Error: syntax error\n" }
          : fake.exec(args, stdin),
    };
    const { stored, reporter, dataplane } = setup(picky);
    dataplane.onUpdate(policy(1, 80));
    await dataplane.flush();
    const good = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [81]);
    const entries = good.inbound.entries.map((e) => ({ ...e, ruleId: "bad-rule" }));
    const bad = { ...good, inbound: { ...good.inbound, entries }, hash: "bad" };
    dataplane.onUpdate({ ...policy(2, 81), ruleSet: bad });
    await dataplane.flush();
    expect(dataplane.enforced?.revision).toBe(1);
    expect(stored.map((s) => s.revision)).toEqual([1]);
    const report = reporter.pending();
    expect(report.applied).toMatchObject({ revision: 2, ok: false });
    expect(report.applied?.error).toMatch(/syntax error/);
    expect(report.events?.[0]).toMatchObject({ kind: "apply-failed" });
  });

  it("uses a new driver (full apply) when the management set changes", async () => {
    const { drivers, dataplane } = setup();
    dataplane.onUpdate(policy(1, 80));
    await dataplane.flush();
    dataplane.onUpdate({ ...policy(2, 80), management: { v4: [], v6: ["2001:2::1/128"] } });
    await dataplane.flush();
    expect(drivers).toHaveLength(2);
    expect(dataplane.enforced?.revision).toBe(2);
  });

  it("does not persist or acknowledge the before-first-policy RuleSet", async () => {
    const { stored, reporter, dataplane } = setup();
    dataplane.onUpdate({ ...policy(0, 80), revision: null, source: "before-policy" });
    await dataplane.flush();
    expect(stored).toEqual([]);
    expect(reporter.pending()).toEqual({});
    expect(dataplane.enforced?.source).toBe("before-policy");
  });

  const ssh: ManagementAccess = {
    channel: [{ proto: "tcp", ranges: [[9443, 9443]] }],
    services: [{ proto: "tcp", ranges: [[22, 22]] }],
  };

  it("gives management the agent's channel alone when the controller sends no access (older controller)", async () => {
    const { accesses, stored, dataplane } = setup();
    dataplane.onUpdate(policy(1, 80));
    await dataplane.flush();
    expect(accesses).toEqual([
      { channel: [{ proto: "tcp", ranges: [[8443, 8443]] }], services: [] },
    ]);
    expect(stored[0]).not.toHaveProperty("managementAccess");
  });

  it("adds the controller's channel and services to its own channel, keeps them in the last good state", async () => {
    const { accesses, stored, dataplane, drivers } = setup();
    dataplane.onUpdate({ ...policy(1, 80), managementAccess: ssh });
    await dataplane.flush();
    expect(accesses[0]?.channel).toEqual([
      { proto: "tcp", ranges: [[8443, 8443]] },
      { proto: "tcp", ranges: [[9443, 9443]] },
    ]);
    expect(accesses[0]?.services).toEqual(ssh.services);
    expect(stored[0]?.managementAccess).toEqual(ssh);
    // The same access again reuses the driver; another one takes a new driver (a full apply).
    dataplane.onUpdate({ ...policy(2, 81), managementAccess: ssh });
    await dataplane.flush();
    expect(drivers).toHaveLength(1);
    dataplane.onUpdate({ ...policy(3, 81), managementAccess: { ...ssh, services: [] } });
    await dataplane.flush();
    expect(drivers).toHaveLength(2);
  });

  it("never lets a sent `any` open the channel to every port", async () => {
    const { accesses, dataplane } = setup();
    const wide: ManagementAccess = { channel: [{ proto: "any" }], services: [] };
    dataplane.onUpdate({ ...policy(1, 80), managementAccess: wide });
    await dataplane.flush();
    expect(accesses[0]?.channel).toEqual([{ proto: "tcp", ranges: [[8443, 8443]] }]);
  });
});
