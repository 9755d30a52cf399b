// Rule.enforce: which managed ends a rule binds. Native rules (absent = both) bind the consumer's
// outbound and the provider's inbound chain; `provider` (a Kubernetes ingress rule) only the
// latter, `consumer` (an egress rule) only the former — the other end's own default decides.
import { describe, expect, it } from "vitest";
import { explain } from "../explain/explain.js";
import type { Enforcement } from "../model.js";
import { isolation, policy, rule, sel, svc, wl, workload } from "../testing/builders.js";
import { compile } from "./compile.js";
import { Compiler } from "./compiler.js";

const ns = { namespace: "shop", namespaceLabels: { "kubernetes.io/metadata.name": "shop" } };
const web = workload("web", { app: "web" }, ["198.18.0.1"], ns);
const api = workload("api", { app: "api" }, ["198.18.0.2"], ns);
const bothIsolated = [isolation("all", sel(), ["inbound", "outbound"])];

function webToApi(enforce?: Enforcement) {
  const extra = enforce === undefined ? { id: "r" } : { id: "r", enforce };
  return rule("allow", [wl({ app: "web" })], [wl({ app: "api" })], svc("tcp/80"), extra);
}

const ids = (entries: readonly { ruleId: string }[]) => entries.map((e) => e.ruleId);

describe("Rule.enforce", () => {
  it.each([
    [undefined, ["r"], ["r"]],
    ["both", ["r"], ["r"]],
    ["provider", [], ["r"]],
    ["consumer", ["r"], []],
  ] as const)("%s: consumer outbound %j, provider inbound %j", (enforce, out, inb) => {
    const rs = compile(policy([webToApi(enforce)], { isolation: bothIsolated }), [web, api]);
    expect(ids(rs.get("web")?.outbound.entries ?? [])).toEqual(out);
    expect(ids(rs.get("api")?.inbound.entries ?? [])).toEqual(inb);
    expect(rs.get("web")?.inbound.entries).toEqual([]);
    expect(rs.get("api")?.outbound.entries).toEqual([]);
  });

  it("explain: a provider-only rule leaves the source to its own default", () => {
    const q = { from: { workload: "web" }, to: { workload: "api" }, port: "tcp/80" };
    const isolated = explain(
      policy([webToApi("provider")], { isolation: bothIsolated }),
      [web, api],
      q,
    );
    expect(isolated.verdict).toBe("blocked");
    expect(isolated.steps.map((s) => [s.at, s.policy, s.rule?.id])).toEqual([
      ["source", "deny", undefined],
      ["destination", "allow", "r"],
    ]);
    expect(isolated.steps[0]?.reason).toMatch(/isolation all makes outbound default-deny/);
    const inboundOnly = [isolation("in", sel(), ["inbound"])];
    const open = explain(policy([webToApi("provider")], { isolation: inboundOnly }), [web, api], q);
    expect(open.verdict).toBe("allowed");
    expect(open.steps[0]?.reason).toMatch(/no isolation selects/);
  });

  it("explain: a consumer-only rule leaves the destination to its own default", () => {
    const q = { from: { workload: "web" }, to: { workload: "api" }, port: "tcp/80" };
    const d = explain(policy([webToApi("consumer")], { isolation: bothIsolated }), [web, api], q);
    expect(d.steps.map((s) => [s.at, s.policy, s.rule?.id])).toEqual([
      ["source", "allow", "r"],
      ["destination", "deny", undefined],
    ]);
  });

  it("incremental compile honours it when a workload joins a side", () => {
    const p = policy([webToApi("provider")], { isolation: bothIsolated });
    const c = new Compiler(p, [api]);
    c.apply([{ kind: "upsert-workload", workload: web }]);
    const fresh = compile(p, [api, web]);
    expect(Object.fromEntries(c.all())).toEqual(Object.fromEntries(fresh));
    expect(c.get("web")?.outbound.entries).toEqual([]);
  });
});
