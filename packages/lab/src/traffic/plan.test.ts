// The traffic plan: the scenario's `traffic:` section, expanded and checked against its hosts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario, ScenarioInvalidError } from "../scenario/load.js";
import { MAX_TRAFFIC_FLOWS, parseEvery } from "./plan.js";

const file = join(mkdtempSync(join(tmpdir(), "mseg-traffic-")), "scenario.yaml");

const HOSTS = `
hosts:
  - { name: web-1, listen: [tcp/80] }
  - { name: web-2, listen: [tcp/80] }
  - { name: app-1, listen: [tcp/8080, udp/514] }
  - { name: db-1, listen: [tcp/5432] }
`;

function problems(traffic: string) {
  try {
    parseScenario(`${HOSTS}traffic:\n${traffic}`, file);
  } catch (err) {
    if (err instanceof ScenarioInvalidError) return err.diagnostics;
    throw err;
  }
  throw new Error("expected the scenario to be invalid");
}

describe("scenario traffic:", () => {
  it("is optional: a scenario without it has an empty plan", () => {
    expect(parseScenario(HOSTS, file).traffic).toEqual([]);
  });

  it("expands host lists into one flow per pair, skipping a host to itself", () => {
    const s = parseScenario(
      `${HOSTS}traffic:
  - { from: [web-1, web-2], to: app-1, port: tcp/8080, every: 2s }
  - { from: app-1, to: db-1, port: tcp/5432 }
  - { from: [web-1, web-2], to: [web-1, web-2], port: tcp/80, every: 500ms }
  - { from: db-1, to: app-1, port: udp/514, every: 1m }
`,
      file,
    );
    expect(s.traffic).toEqual([
      { from: "web-1", to: "app-1", proto: "tcp", port: 8080, everyMs: 2000 },
      { from: "web-2", to: "app-1", proto: "tcp", port: 8080, everyMs: 2000 },
      { from: "app-1", to: "db-1", proto: "tcp", port: 5432, everyMs: 5000 },
      { from: "web-1", to: "web-2", proto: "tcp", port: 80, everyMs: 500 },
      { from: "web-2", to: "web-1", proto: "tcp", port: 80, everyMs: 500 },
      { from: "db-1", to: "app-1", proto: "udp", port: 514, everyMs: 60_000 },
    ]);
  });

  it("keeps one flow when entries repeat a pair (the later period wins)", () => {
    const s = parseScenario(
      `${HOSTS}traffic:
  - { from: web-1, to: app-1, port: tcp/8080, every: 2s }
  - { from: web-1, to: app-1, port: tcp/8080, every: 3s }
`,
      file,
    );
    expect(s.traffic).toEqual([
      { from: "web-1", to: "app-1", proto: "tcp", port: 8080, everyMs: 3000 },
    ]);
  });

  it("names file, line, field and the fix for every problem", () => {
    const ds = problems(`  - { from: web-9, to: app-1, port: tcp/8080 }
  - { from: web-1, to: [app-1, db-2], port: tcp/8080 }
  - { from: web-1, to: db-1, port: tcp/8080 }
  - { from: web-1, to: app-1, port: tcp/8080-8081 }
  - { from: web-1, to: app-1, port: icmp }
  - { from: web-1, to: app-1, port: tcp/8080, every: soon }
  - { from: web-1, to: app-1, port: tcp/8080, every: 10ms }
  - { from: web-1, to: web-1, port: tcp/80 }
`);
    expect(ds.every((d) => d.file === file && d.code === "MSEG_SCENARIO_INVALID")).toBe(true);
    expect(ds.map((d) => [d.path, d.line])).toEqual([
      ["traffic[0].from", 8],
      ["traffic[1].to[1]", 9],
      ["traffic[2].port", 10],
      ["traffic[3].port", 11],
      ["traffic[4].port", 12],
      ["traffic[5].every", 13],
      ["traffic[6].every", 14],
      ["traffic[7].to", 15],
    ]);
    const byPath = Object.fromEntries(ds.map((d) => [d.path, d.message]));
    expect(byPath["traffic[0].from"]).toMatch(/no host is called "web-9"; the hosts are: web-1, /);
    expect(byPath["traffic[2].port"]).toMatch(
      /db-1 does not listen on tcp\/8080; add tcp\/8080 to its listen: list or pick one of: tcp\/5432/,
    );
    expect(byPath["traffic[3].port"]).toMatch(/one TCP or UDP port; write e\.g\. tcp\/8080/);
    expect(byPath["traffic[5].every"]).toMatch(/"soon" is not a period; write e\.g\. 500ms/);
    expect(byPath["traffic[6].every"]).toMatch(/out of range/);
    expect(byPath["traffic[7].to"]).toMatch(/from a host to itself/);
  });

  it("reports unknown and missing fields with the fields that exist", () => {
    const ds = problems("  - { from: web-1, too: app-1, port: tcp/8080 }\n");
    expect(ds.map((d) => d.path)).toEqual(["traffic[0].to", "traffic[0]"]);
    expect(ds[0]?.message).toMatch(/required/);
    expect(ds[1]?.message).toMatch(
      /unknown field "too"; the fields here are: from, to, port, every/,
    );
  });

  it("limits the size of the plan", () => {
    const many = Array.from({ length: 30 }, (_, i) => `  - { name: h${i}, listen: [tcp/80] }`);
    const names = `[${Array.from({ length: 30 }, (_, i) => `h${i}`).join(", ")}]`;
    try {
      parseScenario(
        `hosts:\n${many.join("\n")}\ntraffic:\n  - { from: ${names}, to: ${names}, port: tcp/80 }\n`,
        file,
      );
      throw new Error("expected a refusal");
    } catch (err) {
      expect((err as ScenarioInvalidError).diagnostics[0]).toMatchObject({
        path: "traffic",
        message: expect.stringContaining(`at most ${MAX_TRAFFIC_FLOWS}`),
      });
    }
  });
});

describe("parseEvery", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["1h", 3_600_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseEvery(text)).toBe(ms);
  });

  it.each(["", "2", "s", "2 days", "-1s", "1e3ms"])("refuses %j", (text) => {
    expect(parseEvery(text)).toBeUndefined();
  });
});
