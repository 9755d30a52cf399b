// The hub's incremental state equals a from-scratch compile of the same revision and inventory
// after any sequence of revisions and workload changes; only changed workloads are reported.
import { compile, loadPolicy, type Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { PolicyHub } from "./policy-hub.js";

const P1 = `
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
workloads:
  - { name: backup, labels: { role: db }, addresses: [198.18.9.9], managed: false }
`;
const P2 = `
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
  - { name: mon, from: { role: mon }, to: any, services: [tcp/9100] }
`;

function parse(text: string) {
  const loaded = loadPolicy([{ file: "p.yaml", text }]);
  expect(loaded.diagnostics).toEqual([]);
  return loaded;
}

const w = (name: string, role: string, address: string): Workload => ({
  name,
  labels: { role },
  addresses: [address],
  mode: "enforce",
  managed: true,
});

function expectEqualsScratch(hub: PolicyHub, text: string, stored: Workload[]) {
  const p = parse(text);
  const declared = p.workloads.filter((d) => !stored.some((s) => s.name === d.name));
  const scratch = compile(p.policy, [...stored, ...declared]);
  const got = new Map([...hub.ruleSets()].map(([k, v]) => [k, v.hash]));
  expect(got).toEqual(new Map([...scratch].map(([k, v]) => [k, v.hash])));
}

describe("PolicyHub", () => {
  it("shows no RuleSet before a revision and reports every workload at the first one", () => {
    const stored = [w("web-1", "web", "198.18.1.10"), w("db-1", "db", "198.18.1.20")];
    const hub = new PolicyHub(stored);
    expect(hub.hashOf("web-1")).toBe("none");
    expect(hub.upsertWorkload(w("web-2", "web", "198.18.1.11"))).toEqual([]);
    const p = parse(P1);
    expect(hub.setRevision({ number: 1, policy: p.policy, declared: p.workloads })).toEqual([
      "db-1",
      "web-1",
      "web-2",
    ]);
    expectEqualsScratch(hub, P1, [...stored, w("web-2", "web", "198.18.1.11")]);
  });

  it("keeps a tracked label's set of workloads current: stored, declared, changed, removed", () => {
    const decoy = (name: string, value: string): Workload => ({
      ...w(name, "db", "198.18.1.30"),
      labels: { role: "db", decoy: value },
    });
    const hub = new PolicyHub([decoy("honey-1", "true"), w("web-1", "web", "198.18.1.10")]);
    const decoys = hub.trackLabel("decoy", "true");
    expect([...decoys]).toEqual(["honey-1"]);
    hub.upsertWorkload(decoy("web-1", "true"));
    hub.upsertWorkload(decoy("honey-1", "false"));
    expect([...decoys]).toEqual(["web-1"]);
    const p = parse(
      `${P1}  - { name: honey-2, labels: { decoy: "true" }, addresses: [198.18.9.8] }\n`,
    );
    hub.setRevision({ number: 1, policy: p.policy, declared: p.workloads });
    expect([...decoys].sort()).toEqual(["honey-2", "web-1"]);
    hub.removeWorkload("web-1");
    hub.setRevision({ number: 2, policy: parse(P2).policy, declared: [] });
    expect([...decoys]).toEqual([]);
    // the same set, whoever asks
    expect(hub.trackLabel("decoy", "true")).toBe(decoys);
  });

  it("stays equal to a from-scratch compile through revisions and workload changes", () => {
    const stored = new Map<string, Workload>();
    const put = (x: Workload) => {
      stored.set(x.name, x);
      return hub.upsertWorkload(x);
    };
    const hub = new PolicyHub([]);
    const p1 = parse(P1);
    hub.setRevision({ number: 1, policy: p1.policy, declared: p1.workloads });
    expect(put(w("web-1", "web", "198.18.1.10"))).toEqual(["web-1"]);
    // A new db: the web's outbound set changes, so web-1 is reported with db-1.
    expect(put(w("db-1", "db", "198.18.1.20"))).toEqual(["db-1", "web-1"]);
    expectEqualsScratch(hub, P1, [...stored.values()]);
    // A stored workload named like a declared one wins over it.
    put(w("backup", "db", "198.18.9.10"));
    expectEqualsScratch(hub, P1, [...stored.values()]);
    const p2 = parse(P2);
    hub.setRevision({ number: 2, policy: p2.policy, declared: p2.workloads });
    put(w("mon-1", "mon", "198.18.1.30"));
    expectEqualsScratch(hub, P2, [...stored.values()]);
    stored.delete("db-1");
    expect(hub.removeWorkload("db-1")).toContain("db-1");
    expectEqualsScratch(hub, P2, [...stored.values()]);
  });

  it("releases, times out and closes waiters", async () => {
    const hub = new PolicyHub([w("web-1", "web", "198.18.1.10")]);
    expect(await hub.wait("web-1", "none", 10)).toBe("timeout");
    expect(await hub.wait("web-1", "other", 1000)).toBe("changed");
    const held = hub.wait("web-1", "none", 10_000);
    hub.release("web-1");
    expect(await held).toBe("changed");
    const again = hub.wait("web-1", "none", 10_000);
    expect(hub.waiting()).toBe(1);
    hub.close();
    expect(await again).toBe("closed");
    expect(await hub.wait("web-1", "none", 10_000)).toBe("closed");
  });
});
