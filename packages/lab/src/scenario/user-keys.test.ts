// The scenario's user-keyed maps (labels, namespaces, named ports) keep every key: a key the
// grammar refuses is reported with its path and line, never dropped.
import { describe, expect, it } from "vitest";
import { parseScenario, ScenarioInvalidError } from "./load.js";

const file = "/nonexistent/scenario.yaml";

function problems(text: string): [string, number | undefined, string][] {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (!(err instanceof ScenarioInvalidError)) throw err;
    return err.diagnostics.map((d) => [d.path, d.line, d.message]);
  }
  throw new Error("expected the scenario to be invalid");
}

describe("scenario maps", () => {
  it("refuse __proto__ as a label key", () => {
    const [d, ...rest] = problems("hosts:\n  - name: a\n    labels: { __proto__: x }\n");
    expect(rest).toEqual([]);
    expect(d?.slice(0, 2)).toEqual(["hosts[0].labels.__proto__", 3]);
    expect(d?.[2]).toMatch(/label key `__proto__` is not valid/);
  });

  it("refuse __proto__ as a named port", () => {
    const [d, ...rest] = problems("hosts:\n  - name: a\n    namedPorts: { __proto__: tcp/80 }\n");
    expect(rest).toEqual([]);
    expect(d?.slice(0, 2)).toEqual(["hosts[0].namedPorts.__proto__", 3]);
    expect(d?.[2]).toMatch(/not a port name/);
  });

  it("refuse __proto__ as a namespace name", () => {
    const [d, ...rest] = problems(
      "namespaces:\n  __proto__: { labels: { team: x } }\nhosts:\n  - name: a\n",
    );
    expect(rest).toEqual([]);
    expect(d?.slice(0, 2)).toEqual(["namespaces.__proto__", 2]);
    expect(d?.[2]).toMatch(/namespace name/);
  });

  it("do not find namespaces on Object.prototype", () => {
    const [d, ...rest] = problems("hosts:\n  - { name: a, namespace: constructor }\n");
    expect(rest).toEqual([]);
    expect(d?.slice(0, 2)).toEqual(["hosts[0].namespace", 2]);
    expect(d?.[2]).toMatch(/not declared/);
  });

  it("keep keys named like Object.prototype members", () => {
    const s = parseScenario(
      "namespaces:\n  constructor: { labels: { toString: x } }\n" +
        "hosts:\n  - name: a\n    namespace: constructor\n    labels: { constructor: web }\n" +
        "    namedPorts: { constructor: tcp/80 }\n",
      file,
    );
    expect(Object.entries(s.namespaces)).toEqual([["constructor", { labels: { toString: "x" } }]]);
    expect(s.hosts[0]?.labels).toEqual({ constructor: "web" });
    expect(s.hosts[0]?.namedPorts).toEqual({ constructor: { proto: "tcp", from: 80, to: 80 } });
  });
});

describe("scenario labels", () => {
  it("follow the policy's label syntax, value errors naming the key", () => {
    const ds = problems("hosts:\n  - name: a\n    labels: { role: 'a b', 'x y': z }\n");
    expect(ds.map((d) => d.slice(0, 2))).toEqual([
      ["hosts[0].labels.role", 3],
      ['hosts[0].labels["x y"]', 3],
    ]);
    expect(ds[0]?.[2]).toMatch(/label value `a b` of `role` is not valid/);
  });
});
