// Each lossy case must say so: an export that allows more than the source without a fidelity
// entry is a bug. And where the report says exact, the exported policy means the same: the k8s
// export, read back by the Kubernetes import, gives the same verdict as the source for every
// pair of workloads and every port that matters.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  explain,
  loadPolicy,
  type Policy,
  seededRandom as prng,
  type Workload,
} from "@microseg/core";
import { describe, expect, it } from "vitest";
import { type ExportInput, exportAwsSg, exportIptables, exportK8s, exportNft } from "./index.js";

const TESTDATA = join(import.meta.dirname, "../testdata");

function loadCase(name: string): ExportInput {
  const file = join(TESTDATA, "cases", `${name}.yaml`);
  const loaded = loadPolicy([{ file: `${name}.yaml`, text: readFileSync(file, "utf8") }]);
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics, null, 2));
  return { policy: loaded.policy, workloads: loaded.workloads };
}

function input(yaml: string) {
  const loaded = loadPolicy([{ file: "p.yaml", text: yaml }]);
  expect(loaded.diagnostics).toEqual([]);
  return { policy: loaded.policy, workloads: loaded.workloads };
}

const PODS = `
namespaces: [{ name: ns, labels: { team: a } }]
workloads:
  - { name: a, namespace: ns, labels: { app: a }, addresses: [198.18.0.1] }
  - { name: b, namespace: ns, labels: { app: b }, addresses: [198.18.0.2] }
  - { name: c, namespace: ns, labels: { app: c }, addresses: [198.18.0.3] }
isolation: [{ name: iso, directions: [inbound] }]
`;

const severities = (f: readonly { severity: string; what: string }[], what: string) =>
  f.filter((e) => e.what.includes(what)).map((e) => e.severity);

describe("fidelity: every lossy case is reported", () => {
  it("k8s: a deny in an open direction is dropped and called LOOSER", () => {
    const { fidelity } = exportK8s(
      input(`${PODS}rules: [{ name: d, action: deny, from: { app: a }, to: { app: b } }]`),
    );
    const entry = fidelity.find((f) => f.what === "deny d (outbound)");
    expect(entry?.severity).toBe("dropped");
    expect(entry?.why).toMatch(/LOOSER/);
  });

  it("k8s: an override-deny over an allow narrows the allow's ports (stricter), or drops it", () => {
    const rules = `rules:
  - { name: al, from: any, to: { app: b }, services: [tcp/1-100] }
  - { name: od, action: override-deny, from: { app: a }, to: { app: b }, services: [tcp/22] }
  - { name: al2, from: { app: a }, to: { app: c }, services: [tcp/80] }
  - { name: od2, action: override-deny, from: { app: a }, to: { app: c } }`;
    const { fidelity, output } = exportK8s(input(`${PODS}${rules}`));
    expect(severities(fidelity, "od over allow al (inbound)")).toEqual(["approximated"]);
    expect(output).toMatch(/"endPort": 21/);
    expect(severities(fidelity, "od2 over allow al2 (inbound)")).toEqual(["dropped"]);
  });

  it("k8s: an override-deny of addresses becomes ipBlock except, exactly", () => {
    const rules = `rules:
  - { name: al, from: { cidrs: [10.0.0.0/8] }, to: { app: b }, services: [tcp/80] }
  - { name: od, action: override-deny, from: { cidrs: [10.1.0.0/16] }, to: any }`;
    const { fidelity, output } = exportK8s(input(`${PODS}${rules}`));
    expect(severities(fidelity, "od over allow al (inbound)")).toEqual(["exact"]);
    expect(output).toContain('"10.1.0.0/16"');
  });

  it("k8s: ICMP, native workloads and test mode are reported", () => {
    const yaml = PODS.replace("app: a }, addresses", "app: a }, mode: test, addresses").replace(
      "isolation:",
      `  - { name: n, labels: { app: n }, addresses: [198.18.9.1] }
rules: [{ name: p, from: { app: n }, to: { app: a }, services: [icmp, tcp/80] }]
isolation:`,
    );
    const { fidelity } = exportK8s(input(yaml));
    expect(severities(fidelity, "icmp service of allow p")).toEqual(["dropped"]);
    expect(severities(fidelity, "native workloads n")).toEqual(["dropped"]);
    expect(severities(fidelity, "native workloads selected by rule p")).toEqual(["approximated"]);
    expect(severities(fidelity, "pod a (mode test)")).toEqual(["approximated"]);
  });

  it("aws-sg: named ports, SCTP ports, pods and modes are reported", () => {
    const yaml = `workloads:
  - { name: x, labels: { r: x }, addresses: [10.0.0.1], mode: learn, namedPorts: { h: tcp/80 } }
  - { name: y, labels: { r: y }, addresses: [10.0.0.2] }
  - { name: p, namespace: ns, labels: { r: p }, addresses: [10.0.1.1] }
rules: [{ name: r1, from: { r: y }, to: { r: x }, services: [tcp/h, sctp/9] }]`;
    const { fidelity } = exportAwsSg(input(yaml));
    expect(severities(fidelity, "tcp/h of allow r1")).toEqual(["dropped"]);
    expect(severities(fidelity, "sctp/9-9 of allow r1")).toEqual(["dropped"]);
    expect(severities(fidelity, "pods p")).toEqual(["dropped"]);
    expect(severities(fidelity, "workload x (mode learn)")).toEqual(["approximated"]);
  });

  it("iptables and nft host exports are exact; gateway forms say what a gateway cannot see", () => {
    const shop = loadCase("shop");
    for (const fn of [exportIptables, exportNft]) {
      expect(fn(shop, { workload: "web-1" }).fidelity.every((f) => f.severity === "exact")).toBe(
        true,
      );
      expect(severities(fn(shop, { gateway: true }).fidelity, "gateway enforcement")).toEqual([
        "approximated",
      ]);
    }
  });

  it("refuses an unmanaged or unknown --workload, and a host form without one", () => {
    const shop = loadCase("shop");
    expect(() => exportNft(shop, { workload: "printer" })).toThrow(/unmanaged/);
    expect(() => exportIptables(shop, { workload: "nope" })).toThrow(/no such workload/);
    expect(() => exportNft(shop)).toThrow(/--workload/);
  });
});

const APPS = ["a", "b", "c"];
const PORTS = ["tcp/80", "tcp/81", "tcp/443", "udp/53"];

function randomPolicy(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const workloads = Array.from({ length: 5 }, (_, i) => {
    const ns = pick(["x", "y"]);
    return `  - { name: w${i}, namespace: ${ns}, labels: { app: ${pick(APPS)}, tier: "${i % 2}" }, addresses: [198.18.0.${i + 1}] }`;
  });
  const isolation = ["inbound", "outbound"]
    .filter(() => rand() < 0.8)
    .map(
      (d) =>
        `  - { name: iso-${d}, select: { app: { notIn: [${pick(APPS)}] } }, directions: [${d}] }`,
    );
  const side = () =>
    pick([
      `{ app: ${pick(APPS)} }`,
      `{ app: [${pick(APPS)}, ${pick(APPS)}], tier: "1" }`,
      `{ namespace: { team: ${pick(["x", "y"])} } }`,
      "any",
      `{ cidrs: [198.18.0.0/30] }`,
    ]);
  const rules = Array.from({ length: 4 }, (_, i) => {
    const services = pick(["[tcp/80-81]", "[udp/53]", "[tcp/443, tcp/80]", "[any]"]);
    return `  - { name: r${i}, from: ${side()}, to: ${side().replace("{ cidrs: [198.18.0.0/30] }", "any")}, services: ${services} }`;
  });
  return `namespaces:\n  - { name: x, labels: { team: x } }\n  - { name: y, labels: { team: y } }
workloads:\n${workloads.join("\n")}\nisolation:${isolation.length ? `\n${isolation.join("\n")}` : " []"}\nrules:\n${rules.join("\n")}\n`;
}

function verdicts(policy: Policy, workloads: readonly Workload[]): string[] {
  const out: string[] = [];
  for (const a of workloads)
    for (const b of workloads)
      for (const port of PORTS) {
        if (a === b) continue;
        const d = explain(policy, workloads, {
          from: { workload: a.name },
          to: { workload: b.name },
          port,
        });
        out.push(`${a.name}->${b.name} ${port} ${d.policy}`);
      }
  return out;
}

describe("property: an exact k8s export means what the source means", () => {
  it("200 random pod policies: export, import back, same verdict for every pair and port", () => {
    const rand = prng(20240601);
    let exact = 0;
    for (let i = 0; i < 200; i++) {
      const source = input(randomPolicy(rand));
      const { output, fidelity } = exportK8s(source);
      const back = loadPolicy([{ file: "netpol.yaml", text: output }], {
        inventory: source.workloads,
      });
      expect(back.diagnostics).toEqual([]);
      const same = verdicts(back.policy, source.workloads);
      const want = verdicts(source.policy, source.workloads);
      if (fidelity.every((f) => f.severity === "exact")) {
        exact += 1;
        expect(same).toEqual(want);
      } else {
        // never looser than the source unless an entry says LOOSER
        const looser = same.filter((v, k) => v.endsWith("allow") && want[k]?.endsWith("deny"));
        if (!fidelity.some((f) => f.why.includes("LOOSER"))) expect(looser).toEqual([]);
      }
    }
    expect(exact).toBeGreaterThan(50);
  });
});
