// One test per class of problem: the code, the path, the line, and a message that names the fix.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { loadPolicy } from "./index.js";

function problems(text: string, file = "p.yaml"): Diagnostic[] {
  return [...loadPolicy([{ file, text }]).diagnostics];
}

function only(text: string): Diagnostic {
  const found = problems(text);
  expect(found).toHaveLength(1);
  return found[0] as Diagnostic;
}

const RULE_BASE = "rules:\n  - from: any\n    to: any\n";

describe("YAML", () => {
  it("reports a syntax error with its line", () => {
    const found = problems("rules:\n  - from: any\n    to: any\n  - bad: : x\n");
    expect(found.length).toBeGreaterThanOrEqual(1);
    const d = found[0] as Diagnostic;
    expect(d).toMatchObject({ code: "MSEG_YAML_SYNTAX", file: "p.yaml", path: "", line: 4 });
    expect(d.message).toMatch(/check the indentation/);
  });

  it("reports a key written twice in one map", () => {
    const d = only("rules:\n  - from: any\n    to: any\n    to: { app: a }\n");
    expect(d).toMatchObject({ code: "MSEG_YAML_SYNTAX", line: 4 });
    expect(d.message).toBe("the key `to` appears twice in the same map; keep only one of them");
  });

  it("rejects a document that is not a map", () => {
    const d = only("- from: any\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_WRONG_TYPE", path: "", line: 1 });
    expect(d.message).toMatch(/map of sections such as `rules:`/);
  });
});

describe("structure", () => {
  it("names an unknown field and suggests the closest known one", () => {
    const d = only("rules:\n  - form: { role: web }\n    from: any\n    to: any\n");
    expect(d).toEqual({
      code: "MSEG_POLICY_UNKNOWN_FIELD",
      file: "p.yaml",
      path: "rules[0].form",
      line: 2,
      message:
        "unknown field `form`; did you mean `from`? (a rule takes name, description, action, from, to, services)",
    });
  });

  it("lists the known fields when no field is close", () => {
    const d = only("services:\n  - name: web\n    ports: [tcp/80]\n    colour: blue\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_UNKNOWN_FIELD",
      path: "services[0].colour",
      line: 4,
    });
    expect(d.message).toBe("unknown field `colour`; a service takes name, description, ports");
  });

  it("suggests the section for a misspelt top-level key", () => {
    const d = only("rule:\n  - { from: any, to: any }\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_UNKNOWN_FIELD", path: "rule", line: 1 });
    expect(d.message).toMatch(/did you mean `rules`\?/);
  });

  it("reports a wrong type with what to write instead", () => {
    const d = only("workloads:\n  - name: web-1\n    labels: [app, web]\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_WRONG_TYPE",
      path: "workloads[0].labels",
      line: 3,
    });
    expect(d.message).toBe(
      "`labels` must be a map of labels such as `{ app: shop, env: prod }`; got a list",
    );
  });

  it("reports a missing required field at its parent's line", () => {
    const d = only("rules:\n  - name: r1\n    from: any\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_MISSING_FIELD", path: "rules[0].to", line: 2 });
    expect(d.message).toMatch(/^`to` is missing; write `any`, a label selector like/);
  });

  it("reports a missing test field with an example", () => {
    const d = only(
      "workloads:\n  - name: a\n  - name: b\ntests:\n  - { from: a, to: b, port: tcp/80 }\n",
    );
    expect(d).toMatchObject({
      code: "MSEG_POLICY_MISSING_FIELD",
      path: "tests[0].expect",
      line: 5,
    });
    expect(d.message).toBe("`expect` is missing; add it, as `allow` or `deny`");
  });

  it("rejects a port written as a number", () => {
    const d = only("services:\n  - name: db\n    ports: [5432]\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_WRONG_TYPE",
      path: "services[0].ports[0]",
      line: 3,
    });
    expect(d.message).toMatch(/written proto\/port, such as `tcp\/5432`; got the number 5432/);
  });
});

describe("values", () => {
  it("rejects a bad mode and suggests the closest", () => {
    const d = only("workloads:\n  - name: w\n    mode: enforcing\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_VALUE",
      path: "workloads[0].mode",
      line: 3,
    });
    expect(d.message).toBe(
      "`mode` cannot be `enforcing` (did you mean `enforce`?); write one of `learn`, `test`, `enforce`",
    );
  });

  it("rejects a bad action", () => {
    const d = only(`${RULE_BASE}    action: block\n`);
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_VALUE",
      path: "rules[0].action",
      line: 4,
    });
    expect(d.message).toMatch(/write one of `override-deny`, `allow`, `deny`/);
  });

  it("rejects an invalid name and proposes a valid one", () => {
    const d = only("workloads:\n  - name: Web_1\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_NAME",
      path: "workloads[0].name",
      line: 2,
    });
    expect(d.message).toMatch(/e\.g\. `web-1`$/);
  });

  it("rejects a service name reserved for ports", () => {
    const d = only("services:\n  - name: icmp\n    ports: [icmp]\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_INVALID_NAME", path: "services[0].name" });
    expect(d.message).toMatch(/give the service another name, e\.g\. `icmp-svc`/);
  });

  it("rejects an empty `from` and an empty `to`", () => {
    const found = problems("rules:\n  - from: []\n    to:\n");
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_VALUE", "rules[0].from", 2],
      ["MSEG_POLICY_INVALID_VALUE", "rules[0].to", 3],
    ]);
    expect(found[0]?.message).toMatch(/list at least one peer, or write `from: any`/);
    expect(found[1]?.message).toMatch(/`to` is empty; write `any`/);
  });
});

describe("empty services", () => {
  it("rejects `services: []` instead of reading it as every port", () => {
    const d = only(`${RULE_BASE}    services: []\n`);
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_VALUE",
      path: "rules[0].services",
      line: 4,
    });
    expect(d.message).toMatch(/leave `services` out to mean every port/);
  });
});

describe("addresses", () => {
  it("rejects a CIDR that does not parse", () => {
    const d = only("ipLists:\n  - name: l\n    cidrs: [10.0.0.0/33]\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_CIDR",
      path: "ipLists[0].cidrs[0]",
      line: 3,
    });
    expect(d.message).toMatch(/write an address and prefix length like 203\.0\.113\.0\/24/);
  });

  it("rejects host bits and names the network", () => {
    const d = only("rules:\n  - from: { cidrs: [10.1.2.3/8] }\n    to: any\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_CIDR",
      path: "rules[0].from.cidrs[0]",
      line: 2,
    });
    expect(d.message).toMatch(/write `10\.0\.0\.0\/8` for the network, or `10\.1\.2\.3\/32`/);
  });

  it("rejects an except outside every CIDR", () => {
    const d = only(
      "ipLists:\n  - name: l\n    cidrs: [10.0.0.0/8]\n    except: [192.168.0.0/16]\n",
    );
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_CIDR",
      path: "ipLists[0].except[0]",
      line: 4,
    });
    expect(d.message).toMatch(/remove it or add a CIDR that contains it/);
  });

  it("rejects a workload address with a prefix or in legacy form", () => {
    const found = problems(
      "workloads:\n  - name: w\n    addresses: [10.0.0.1/24, 10.1.1, fe80::1%eth0]\n",
    );
    expect(found.map((d) => [d.code, d.path])).toEqual([
      ["MSEG_POLICY_INVALID_CIDR", "workloads[0].addresses[0]"],
      ["MSEG_POLICY_INVALID_CIDR", "workloads[0].addresses[1]"],
      ["MSEG_POLICY_INVALID_CIDR", "workloads[0].addresses[2]"],
    ]);
    expect(found[0]?.message).toMatch(/write `10\.0\.0\.1`$/);
  });
});

describe("ports", () => {
  it.each([
    ["tcp/0", "MSEG_POLICY_INVALID_PORT", /1-65535/],
    ["udp/65536", "MSEG_POLICY_INVALID_PORT", /1-65535/],
    ["tcp/90-80", "MSEG_POLICY_REVERSED_RANGE", /write 80-90/],
    ["http/80", "MSEG_POLICY_INVALID_PORT", /write tcp\/80/],
  ])("rejects %s", (port, code, fix) => {
    const d = only(`services:\n  - name: s\n    ports:\n      - ${port}\n`);
    expect(d).toMatchObject({ code, path: "services[0].ports[0]", line: 4 });
    expect(d.message).toMatch(fix);
  });

  it("rejects a port range in a test", () => {
    const d = only("tests:\n  - { from: 10.0.0.1, to: 10.0.0.2, port: tcp/1-9, expect: deny }\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_INVALID_PORT", path: "tests[0].port", line: 2 });
    expect(d.message).toMatch(/write e\.g\. `tcp\/5432`/);
  });
});

describe("labels and selectors", () => {
  it("rejects invalid label keys and values", () => {
    const found = problems("workloads:\n  - name: w\n    labels: { -app: x, env: 'prod env' }\n");
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", 'workloads[0].labels["-app"]', 3],
      ["MSEG_POLICY_INVALID_LABEL", "workloads[0].labels.env", 3],
    ]);
    expect(found[0]?.message).toMatch(/did you mean `app`\?/);
    expect(found[1]?.message).toMatch(/did you mean `prod-env`\?/);
  });

  it("asks to quote a label value YAML read as a number", () => {
    const d = only("workloads:\n  - name: w\n    labels:\n      tier: 1\n");
    expect(d).toMatchObject({
      code: "MSEG_POLICY_WRONG_TYPE",
      path: "workloads[0].labels.tier",
      line: 4,
    });
    expect(d.message).toBe('label `tier` must have a string value, got 1; quote it: tier: "1"');
  });

  it("rejects a selector operator typo and an empty value list", () => {
    const found = problems("rules:\n  - from: { env: { notin: [dev] } }\n    to: { role: [] }\n");
    expect(found.map((d) => [d.code, d.path])).toEqual([
      ["MSEG_POLICY_UNKNOWN_FIELD", "rules[0].from.env.notin"],
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].to.role"],
    ]);
    expect(found[0]?.message).toMatch(/did you mean `notIn`\?/);
    expect(found[1]?.message).toMatch(/list at least one value/);
  });

  it("flags a peer key that looks like a misspelt form, with the escape hatch", () => {
    const d = only(
      "ipLists:\n  - { name: p, cidrs: [10.0.0.0/8] }\nrules:\n  - { from: { iplist: p }, to: any }\n",
    );
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_SELECTOR",
      path: "rules[0].from.iplist",
      line: 4,
    });
    expect(d.message).toMatch(/misspelling of `ipList`.*\{ labels: \{ iplist: … \} \}/);
  });

  it("explains how to write an IP list or an address given as a bare string", () => {
    const found = problems(
      "ipLists:\n  - { name: p, cidrs: [10.0.0.0/8] }\nrules:\n  - { from: p, to: 10.0.0.1 }\n",
    );
    expect(found.map((d) => d.message)).toEqual([
      "`p` is an IP list; write `{ ipList: p }`",
      "an address is written as a `cidrs` peer: `{ cidrs: [10.0.0.1] }`",
    ]);
  });
});
