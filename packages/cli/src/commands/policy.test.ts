// `microseg policy …` in process: temp files in, exit codes and output asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-policy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.restoreAllMocks();
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
});

const POLICY = `
workloads:
  - { name: web-1, labels: { role: web }, addresses: [198.18.1.10] }
  - { name: db-1, labels: { role: db }, addresses: [198.18.1.20], mode: test }
services:
  - { name: postgres, ports: [tcp/5432] }
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [postgres]
`;
const PASSING = `${POLICY}tests:
  - { from: web-1, to: db-1, port: tcp/5432, expect: allow }
  - { from: db-1, to: web-1, port: tcp/22, expect: deny }
`;
const FAILING = `${POLICY}tests:
  - { from: web-1, to: db-1, port: tcp/5432, expect: allow }
  - { from: web-1, to: db-1, port: tcp/22, expect: allow }
`;

describe("policy check", () => {
  it("exits 0 when the policy is valid and every test passes", async () => {
    const code = await main(["policy", "check", file("ok.yaml", PASSING)]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ok {4}web-1 -> db-1 tcp\/5432 expect allow/m);
    expect(out).toMatch(/2 tests, 2 passed, 0 failed/);
    expect(err).toBe("");
  });

  it("exits 1 when a test fails, printing the decision path", async () => {
    const code = await main(["policy", "check", file("fail.yaml", FAILING)]);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}web-1 -> db-1 tcp\/22 expect allow, but policy says deny/m);
    expect(out).toMatch(/source +web-1 +outbound enforce deny +default: no rule matches/);
    expect(out).toMatch(/^FAIL .*2 tests, 1 passed, 1 failed/m);
  });

  it("exits 2 with every problem on stderr, naming file, line, path and code", async () => {
    const bad = file("bad.yaml", "rules:\n  - form: { role: web }\n    to: { ipList: nope }\n");
    const code = await main(["policy", "check", bad]);
    expect(code).toBe(2);
    expect(err).toContain(
      `${bad}:2: rules[0].form: unknown field \`form\`; did you mean \`from\`?`,
    );
    expect(err).toContain(`${bad}:3: rules[0].to.ipList: no IP list is named \`nope\``);
    expect(err).toMatch(/\[MSEG_POLICY_MISSING_FIELD\]/);
    expect(err).toMatch(/3 problems found; fix them and run again\./);
    expect(out).toBe("");
  });

  it("reports an unreadable file next to the problems of the others", async () => {
    const missing = join(dir, "missing.yaml");
    const bad = file("bad2.yaml", "rules: [{ from: any }]\n");
    const code = await main(["policy", "check", missing, bad]);
    expect(code).toBe(2);
    expect(err).toContain(
      `${missing}: cannot read ${missing}: no such file; check the path [MSEG_FILE_UNREADABLE]`,
    );
    expect(err).toContain("[MSEG_POLICY_MISSING_FIELD]");
  });

  it("merges several files and reads a directory's YAML files", async () => {
    const sub = join(dir, "split");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "a.yaml"), POLICY);
    writeFileSync(
      join(sub, "b.yml"),
      "tests:\n  - { from: web-1, to: db-1, port: tcp/5432, expect: allow }\n",
    );
    writeFileSync(join(sub, "notes.txt"), "not policy");
    const code = await main(["policy", "check", sub]);
    expect(code).toBe(0);
    expect(out).toMatch(/2 files: 1 rule, 0 IP lists, 2 workloads; 1 test, 1 passed/);
  });

  it("takes a lab scenario's hosts as the workloads tests may name", async () => {
    const sub = join(dir, "lab");
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, "policy.yaml"),
      "rules:\n  - { from: { role: web }, to: { role: db }, services: [tcp/5432] }\n" +
        "tests:\n  - { from: web-1, to: db-1, port: tcp/5432, expect: allow }\n",
    );
    const scenario = file(
      "lab/scenario.yaml",
      "hosts:\n  - { name: web-1, labels: { role: web } }\n  - { name: db-1, labels: { role: db } }\n" +
        "policy: [policy.yaml]\n",
    );
    expect(await main(["policy", "check", join(sub, "policy.yaml")])).toBe(2);
    expect(err).toMatch(/no workload is named `web-1`.*check the lab scenario/);
    out = "";
    expect(await main(["policy", "check", scenario])).toBe(0);
    expect(out).toMatch(/1 file: 1 rule, 0 IP lists, 2 workloads; 1 test, 1 passed/);
  });

  it("prints a machine-readable result with --json", async () => {
    const code = await main(["policy", "check", "--json", file("fail2.yaml", FAILING)]);
    expect(code).toBe(1);
    const result = JSON.parse(out);
    expect(result.valid).toBe(true);
    expect(result.summary).toMatchObject({ tests: 2, passed: 1, failed: 1 });
    expect(result.tests[1]).toMatchObject({
      port: "tcp/22",
      expect: "allow",
      passed: false,
      policy: "deny",
    });
    expect(result.tests[1].source).toEqual({ file: join(dir, "fail2.yaml"), path: "tests[1]" });
  });

  it("includes diagnostics in --json output when invalid", async () => {
    const code = await main(["policy", "check", "--json", file("bad3.yaml", "rules: 3\n")]);
    expect(code).toBe(2);
    const result = JSON.parse(out);
    expect(result.valid).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({
      code: "MSEG_POLICY_WRONG_TYPE",
      path: "rules",
      line: 1,
    });
  });

  it("checks a Kubernetes NetworkPolicy: exit 0 when valid, 2 with file, line and path", async () => {
    const np = [
      "apiVersion: networking.k8s.io/v1",
      "kind: NetworkPolicy",
      "metadata: { name: web, namespace: shop }",
      "spec:",
      "  podSelector: { matchLabels: { app: web } }",
      "  ingress: [{ ports: [{ port: 80 }] }]",
      "",
    ].join("\n");
    expect(await main(["policy", "check", file("np.yaml", np)])).toBe(0);
    expect(out).toMatch(/^ok 1 file: 1 rule/);
    const bad = file("np-bad.yaml", np.replace("port: 80", "port: 80, endPort: 70"));
    expect(await main(["policy", "check", bad])).toBe(2);
    expect(err).toMatch(
      /np-bad\.yaml:6: spec\.ingress\[0\]\.ports\[0\]\.endPort: endPort 70 is below port 80.*\[MSEG_POLICY_REVERSED_RANGE\]/,
    );
  });

  it("is a usage error without files", async () => {
    expect(await main(["policy", "check"])).toBe(2);
  });
});

describe("policy explain", () => {
  it("prints the verdict and each enforcement point's deciding rule", async () => {
    const p = file("explain.yaml", POLICY);
    const code = await main([
      "policy",
      "explain",
      p,
      "--from",
      "web-1",
      "--to",
      "db-1",
      "--port",
      "tcp/5432",
    ]);
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("web-1 -> db-1 tcp/5432: allowed (policy says allow)");
    expect(lines[1]).toMatch(
      /source +web-1 +outbound enforce allow +by allow rule web-to-db \(.*explain\.yaml rules\[0\]\); matched role=db/,
    );
    expect(lines[2]).toMatch(/destination +db-1 +inbound +test +allow +by allow rule web-to-db/);
  });

  it("shows would-block in test mode and the default that decided", async () => {
    const p = file("explain2.yaml", POLICY);
    const code = await main([
      "policy",
      "explain",
      p,
      "--from",
      "web-1",
      "--to",
      "db-1",
      "--port",
      "tcp/22",
      "--json",
    ]);
    expect(code).toBe(0);
    const { query, decision } = JSON.parse(out);
    expect(query).toEqual({
      from: { workload: "web-1" },
      to: { workload: "db-1" },
      port: "tcp/22",
    });
    expect(decision.policy).toBe("deny");
    expect(decision.steps.map((s: { at: string; rule?: unknown }) => [s.at, s.rule])).toEqual([
      ["source", undefined],
      ["destination", undefined],
    ]);
  });

  it("accepts an IP address as an endpoint", async () => {
    const p = file("explain3.yaml", POLICY);
    const code = await main([
      "policy",
      "explain",
      p,
      "--from",
      "203.0.113.9",
      "--to",
      "db-1",
      "--port",
      "tcp/5432",
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/^203\.0\.113\.9 -> db-1 tcp\/5432: would-block \(policy says deny\)/);
  });

  it("exits 2 for an unknown workload, listing the known ones", async () => {
    const p = file("explain4.yaml", POLICY);
    const code = await main([
      "policy",
      "explain",
      p,
      "--from",
      "web-9",
      "--to",
      "db-1",
      "--port",
      "tcp/5432",
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /--from web-9 is neither a workload.*known: web-1, db-1.*\[MSEG_POLICY_UNDEFINED_REFERENCE\]/,
    );
  });

  it("exits 2 for a bad port or a missing option", async () => {
    const p = file("explain5.yaml", POLICY);
    expect(
      await main(["policy", "explain", p, "--from", "web-1", "--to", "db-1", "--port", "80"]),
    ).toBe(2);
    expect(err).toMatch(/--port 80: .*write e\.g\. tcp\/5432.*\[MSEG_USAGE\]/);
    expect(await main(["policy", "explain", p, "--from", "web-1", "--to", "db-1"])).toBe(2);
  });
});

describe("policy compile", () => {
  it("prints one workload's RuleSet", async () => {
    const p = file("compile.yaml", POLICY);
    const code = await main(["policy", "compile", p, "--workload", "db-1"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^db-1 \(test\) 198\.18\.1\.20 {2}hash [0-9a-f]{12}/);
    expect(out).toMatch(
      /inbound \(default deny\)\n {4}allow +from @\S+ +tcp\/5432 +rule web-to-db/,
    );
    expect(out).not.toMatch(/^web-1/m);
  });

  it("prints every managed workload's RuleSet as JSON", async () => {
    const p = file("compile2.yaml", POLICY);
    expect(await main(["policy", "compile", p, "--json"])).toBe(0);
    const { ruleSets } = JSON.parse(out);
    expect(ruleSets.map((r: { workload: string }) => r.workload).sort()).toEqual(["db-1", "web-1"]);
  });

  it("exits 2 for an unknown workload", async () => {
    const p = file("compile3.yaml", POLICY);
    expect(await main(["policy", "compile", p, "--workload", "nope"])).toBe(2);
    expect(err).toMatch(/no such workload.*known: web-1, db-1/);
  });
});

describe("help", () => {
  it("documents exit codes and examples", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    expect(await main(["policy", "check", "--help"])).toBe(0);
    expect(out).toMatch(/Exit codes:\n {2}0 {2}the policy is valid/);
    expect(out).toMatch(/\$ npx microseg policy check policy\.yaml/);
  });
});
