import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario, ScenarioInvalidError } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-scenario-"));
writeFileSync(join(dir, "policy.yaml"), "rules: []\n");
const file = join(dir, "scenario.yaml");

function problems(text: string) {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioInvalidError) return err.diagnostics;
    throw err;
  }
  throw new Error("expected the scenario to be invalid");
}

describe("parseScenario", () => {
  it("normalizes a valid scenario", () => {
    const s = parseScenario(
      `
name: shop
namespaces:
  x: { labels: { ns: x } }
hosts:
  - name: web-1
    namespace: x
    labels: { role: web }
    listen: [tcp/80, udp/53, tcp/8000-8002, tcp/80]
    namedPorts: { http: tcp/80 }
  - name: outside
    managed: false
    address: 198.19.0.5
    mode: learn
policy: [policy.yaml]
`,
      file,
    );
    expect(s.name).toBe("shop");
    expect(s.policy).toEqual([join(dir, "policy.yaml")]);
    const [web, outside] = s.hosts;
    expect(web).toMatchObject({
      name: "web-1",
      namespace: "x",
      address: "198.18.0.10",
      address6: "2001:2::198:18:0:10",
      managed: true,
      mode: "enforce",
      namedPorts: { http: { proto: "tcp", from: 80, to: 80 } },
    });
    expect(web?.listen.map((p) => `${p.proto}/${p.port}`)).toEqual([
      "tcp/80",
      "udp/53",
      "tcp/8000",
      "tcp/8001",
      "tcp/8002",
    ]);
    expect(outside).toMatchObject({ managed: false, address: "198.19.0.5", mode: "learn" });
  });

  it("defaults the lab name and the optional sections", () => {
    const s = parseScenario("hosts: [{ name: a }]\n", file);
    expect(s).toMatchObject({ name: "lab", namespaces: {}, policy: [] });
    expect(s.hosts[0]).toMatchObject({ labels: {}, listen: [], managed: true, mode: "enforce" });
  });

  it("reports unknown fields with the fields that exist", () => {
    const [d] = problems("hosts:\n  - name: a\n    lables: { role: web }\n");
    expect(d).toMatchObject({ code: "MSEG_SCENARIO_INVALID", path: "hosts[0]", line: 2 });
    expect(d?.message).toMatch(/unknown field "lables".*labels/);
  });

  it("reports every problem at once, each with file, path and a fix", () => {
    const ds = problems(`
namespaces: {}
hosts:
  - name: Web_1
    mode: block
  - name: a
    address: 10.0.0.1
    namespace: missing
    listen: [icmp, tcp/0]
    namedPorts: { http: tcp/80-81 }
  - name: a
    address: 198.18.0.10
  - name: b
    address: 198.18.0.10
policy: [nope.yaml]
`);
    // zod problems come first; the remaining checks run once the structure is right
    expect(ds.map((d) => d.path)).toEqual(["hosts[0].name", "hosts[0].mode"]);
    expect(ds.every((d) => d.file === file && d.message.length > 20)).toBe(true);
    const later = problems(`
hosts:
  - name: a
    address: 10.0.0.1
    namespace: missing
    listen: [icmp, tcp/0]
    namedPorts: { http: tcp/80-81 }
  - name: a
    address: 198.18.0.10
  - name: b
    address: 198.18.0.10
policy: [nope.yaml]
`);
    expect(later.map((d) => d.path)).toEqual([
      "hosts[0].address",
      "hosts[0].namespace",
      "hosts[0].listen[0]",
      "hosts[0].listen[1]",
      "hosts[0].namedPorts.http",
      "hosts[1].name",
      "hosts[2].address",
      "policy[0]",
    ]);
    const byPath = Object.fromEntries(later.map((d) => [d.path, d.message]));
    expect(byPath["hosts[0].address"]).toMatch(/outside the lab segment/);
    expect(byPath["hosts[0].namespace"]).toMatch(/add it under namespaces/);
    expect(byPath["hosts[0].listen[0]"]).toMatch(/only TCP and UDP/);
    expect(byPath["hosts[1].name"]).toMatch(/unique/);
    expect(byPath["hosts[2].address"]).toMatch(/already the address of hosts\[1\]/);
    expect(byPath["policy[0]"]).toMatch(/relative to the scenario file/);
  });

  it("names what is required and what type was expected", () => {
    const ds = problems(
      "name: x\nhosts:\n  - labels: { a: b }\n  - name: c\n    managed: yes-please\n",
    );
    expect(ds).toEqual([
      expect.objectContaining({
        path: "hosts[0].name",
        message: expect.stringMatching(/required/),
      }),
      expect.objectContaining({
        path: "hosts[1].managed",
        message: expect.stringMatching(/must be a boolean/),
      }),
    ]);
    expect(problems("hosts: []\n")[0]?.message).toMatch(/at least one host/);
  });

  it("reports YAML syntax errors with their line", () => {
    const [d] = problems("hosts:\n  - name: a\n   bad: [\n");
    expect(d).toMatchObject({ code: "MSEG_YAML_SYNTAX", file });
    expect(d?.line).toBeGreaterThan(1);
  });

  it("limits how many ports a host listens on", () => {
    const ds = problems("hosts:\n  - name: a\n    listen: [tcp/1000-2000]\n");
    expect(ds[0]?.message).toMatch(/at most 64 ports/);
  });

  it("is a MicrosegError with code MSEG_SCENARIO_INVALID and a readable message", () => {
    try {
      parseScenario("hosts: [{ name: A }]\n", file);
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioInvalidError);
      expect((err as ScenarioInvalidError).code).toBe("MSEG_SCENARIO_INVALID");
      expect((err as Error).message).toContain(`${file}:1: hosts[0].name:`);
    }
  });
});

describe("loadScenario", () => {
  it("says when the file cannot be read", () => {
    expect(() => loadScenario(join(dir, "missing.yaml"))).toThrow(/cannot read scenario/);
  });

  it("loads the shop example", () => {
    const s = loadScenario(join(import.meta.dirname, "../../../../examples/shop/scenario.yaml"));
    expect(s.hosts.map((h) => h.name)).toEqual([
      "web-1",
      "web-2",
      "app-1",
      "db-1",
      "ops-1",
      "outside",
    ]);
  });
});
