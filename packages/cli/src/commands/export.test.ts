// `microseg export …` in process: output on stdout or --out, fidelity on stderr or in --json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, "p.yaml");
writeFileSync(
  policy,
  `workloads:
  - { name: web-1, labels: { role: web }, addresses: [198.18.1.10] }
  - { name: db-1, labels: { role: db }, addresses: [198.18.1.20], mode: test }
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
`,
);

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.restoreAllMocks();
  vi.spyOn(process.stdout, "write").mockImplementation((c) => {
    out += String(c);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((c) => {
    err += String(c);
    return true;
  });
});

describe("export", () => {
  it("writes the nft script on stdout and the fidelity report on stderr", async () => {
    expect(await main(["export", "--to", "nft", policy, "--workload", "db-1"])).toBe(0);
    expect(out).toMatch(/^#!\/usr\/sbin\/nft -f/);
    expect(err).toMatch(/fidelity of --to nft:\n {2}exact {8}workload db-1 \(mode test\)/);
  });

  it("--json carries output and fidelity; --out writes the file", async () => {
    const file = join(dir, "sg.tf.json");
    expect(await main(["export", "--to", "aws-sg", policy, "--out", file, "--json"])).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ target: "aws-sg", out: file });
    expect(json.fidelity.some((f: { severity: string }) => f.severity === "approximated")).toBe(
      true,
    );
    expect(JSON.parse(readFileSync(file, "utf8")).resource.aws_security_group).toBeDefined();
  });

  it("--strict exits 1 when something is approximated or dropped", async () => {
    expect(await main(["export", "--to", "aws-sg", policy, "--strict"])).toBe(1);
    expect(
      await main(["export", "--to", "iptables", policy, "--workload", "web-1", "--strict"]),
    ).toBe(0);
  });

  it("--to aws-cfn writes a CloudFormation template; --to k8s labels objects with the export set", async () => {
    expect(await main(["export", "--to", "aws-cfn", policy])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ AWSTemplateFormatVersion: "2010-09-09" });
    const pods = join(dir, "pods.yaml");
    writeFileSync(
      pods,
      `namespaces: [{ name: shop, labels: { team: shop } }]
workloads: [{ name: web, namespace: shop, labels: { app: web }, addresses: [198.18.2.10] }]
isolation: [{ name: iso, directions: [inbound] }]
`,
    );
    out = "";
    expect(await main(["export", "--to", "k8s", pods, "--export-set", "shop-prod"])).toBe(0);
    expect(JSON.parse(out).items[0].metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "microseg",
      "microseg.io/export-set": "shop-prod",
    });
    expect(await main(["export", "--to", "k8s", pods, "--export-set", "not a label"])).toBe(2);
    expect(err).toMatch(/--export-set "not a label" is not a Kubernetes label value/);
  });

  it("an AWS quota the export would exceed exits 2 naming the instance; a raised one passes", async () => {
    const two = join(dir, "two-groups.yaml");
    writeFileSync(
      two,
      `workloads:
  - { name: web-1, labels: { role: web }, addresses: [198.18.1.10] }
  - { name: db-1, labels: { role: db, env: prod }, addresses: [198.18.1.20] }
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
  - { name: web-to-prod, from: { role: web }, to: { env: prod }, services: [tcp/22] }
`,
    );
    const args = ["export", "--to", "aws-sg", two];
    expect(await main([...args, "--aws-groups-per-interface", "0"])).toBe(2);
    expect(err).toMatch(/--aws-groups-per-interface takes a whole number of 1 or more/);
    expect(await main([...args, "--aws-groups-per-interface", "1"])).toBe(2);
    expect(err).toMatch(/instance db-1 needs 2 security groups .* over the quota of 1/);
    expect(await main([...args, "--aws-groups-per-interface", "2"])).toBe(0);
  });

  it("usage errors exit 2 with a message", async () => {
    expect(await main(["export", "--to", "nft", policy])).toBe(2);
    expect(err).toMatch(/--workload/);
    expect(await main(["export", "--to", "k8s", policy, "--gateway"])).toBe(2);
    expect(await main(["export", "--to", "pf", policy])).toBe(2);
  });
});
