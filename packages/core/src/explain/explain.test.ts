import { describe, expect, it } from "vitest";
import { MicrosegError } from "../errors.js";
import type { PolicyTest } from "../model.js";
import { ANY, isolation, policy, rule, sel, svc, wl, workload } from "../testing/builders.js";
import { explain } from "./explain.js";
import { runPolicyTests } from "./policy-tests.js";

const web = workload("web", { role: "web", env: "prod" }, ["198.18.0.1"]);
const db = workload("db", { role: "db", env: "prod" }, ["198.18.0.2", "2001:db8::2"]);
const allowWebDb = rule("allow", [wl({ role: "web" })], [wl({ role: "db" })], svc("tcp/5432"), {
  id: "web-db",
});
const q = (from: string, to: string, port: string) => ({
  from: from.includes(".") || from.includes(":") ? { address: from } : { workload: from },
  to: to.includes(".") || to.includes(":") ? { address: to } : { workload: to },
  port,
});

describe("explain", () => {
  it("allowed at both ends, with the deciding rule and the matched labels", () => {
    const d = explain(policy([allowWebDb]), [web, db], q("web", "db", "tcp/5432"));
    expect(d.verdict).toBe("allowed");
    expect(d.policy).toBe("allow");
    expect(d.steps.map((s) => [s.at, s.direction, s.policy, s.rule?.id])).toEqual([
      ["source", "outbound", "allow", "web-db"],
      ["destination", "inbound", "allow", "web-db"],
    ]);
    expect(d.steps[0]?.matchedLabels).toEqual({ role: "db" });
    expect(d.steps[1]?.matchedLabels).toEqual({ role: "web" });
    expect(d.steps[0]?.rule?.source).toEqual({ file: "test.yaml", path: "web-db" });
  });
  it("blocked by the default with a reason when no rule matches", () => {
    const d = explain(policy([allowWebDb]), [web, db], q("web", "db", "tcp/22"));
    expect(d.verdict).toBe("blocked");
    expect(d.steps[0]?.rule).toBeUndefined();
    expect(d.steps[0]?.reason).toMatch(/native workloads are default-deny/);
  });
  it("modes: test reports would-block, learn never blocks, enforce wins", () => {
    const p = policy([]);
    const t = { ...web, mode: "test" as const };
    const l = { ...db, mode: "learn" as const };
    expect(explain(p, [t, l], q("web", "db", "tcp/1")).verdict).toBe("would-block");
    expect(explain(p, [{ ...web, mode: "learn" }, l], q("web", "db", "tcp/1"))).toMatchObject({
      verdict: "allowed",
      policy: "deny",
    });
    expect(explain(p, [t, db], q("web", "db", "tcp/1")).verdict).toBe("blocked");
  });
  it("an address of a workload resolves to it; other addresses are unmanaged peers", () => {
    const p = policy([allowWebDb]);
    expect(explain(p, [web, db], q("198.18.0.1", "2001:db8::2", "tcp/5432")).steps).toHaveLength(2);
    const d = explain(p, [web, db], q("198.18.0.1", "198.18.0.2", "tcp/5432"));
    expect(d.steps).toHaveLength(2);
    const outsider = explain(p, [web, db], q("203.0.113.9", "db", "tcp/5432"));
    expect(outsider.steps).toHaveLength(1);
    expect(outsider.verdict).toBe("blocked");
  });
  it("unmanaged workloads do not enforce but are matched by labels", () => {
    const backup = workload("backup", { role: "web" }, ["203.0.113.5"], { managed: false });
    const d = explain(policy([allowWebDb]), [backup, db], q("backup", "db", "tcp/5432"));
    expect(d.steps.map((s) => s.workload)).toEqual(["db"]);
    expect(d.verdict).toBe("allowed");
    expect(d.steps[0]?.matchedLabels).toEqual({ role: "web" });
  });
  it("override-deny beats allow and names its rule", () => {
    const deny = rule("override-deny", [ANY], [wl({ role: "db" })], svc("tcp/5432"), {
      id: "lock",
    });
    const d = explain(policy([allowWebDb, deny]), [web, db], q("web", "db", "tcp/5432"));
    // `any` as consumer: the source is bound by the override-deny too.
    expect(d.steps.map((s) => s.rule?.id)).toEqual(["lock", "lock"]);
    expect(d.verdict).toBe("blocked");
  });
  it("namespaced workloads: default allow unless an isolation selects them", () => {
    const pod = workload("pod", { app: "be" }, ["198.18.1.1"], {
      namespace: "shop",
      namespaceLabels: {},
    });
    const iso = isolation("be-in", sel({ app: "be" }), ["inbound"]);
    const d = explain(policy([], { isolation: [iso] }), [pod], q("203.0.113.1", "pod", "tcp/80"));
    expect(d.steps[0]?.reason).toMatch(/isolation be-in/);
    expect(d.verdict).toBe("blocked");
    const out = explain(policy([], { isolation: [iso] }), [pod], q("pod", "203.0.113.1", "tcp/80"));
    expect(out.verdict).toBe("allowed");
  });
  it("named ports resolve at the destination; unknown names and endpoints throw coded errors", () => {
    const api = workload("api", { role: "db" }, ["198.18.0.3"], {
      namedPorts: { http: { proto: "tcp", from: 8080, to: 8080 } },
    });
    const p = policy([rule("allow", [wl({ role: "web" })], [wl({ role: "db" })], svc("tcp/http"))]);
    expect(explain(p, [web, api], q("web", "api", "tcp/http")).verdict).toBe("allowed");
    expect(explain(p, [web, api], q("web", "api", "tcp/8080")).verdict).toBe("allowed");
    expect(() => explain(p, [web, db], q("web", "db", "tcp/http"))).toThrow(MicrosegError);
    expect(() => explain(p, [web], q("web", "nope", "tcp/1"))).toThrow(/no workload is named/);
  });
  it("icmp without a type is an echo request", () => {
    const p = policy([rule("allow", [wl({ role: "web" })], [wl({ role: "db" })], svc("icmp/8"))]);
    expect(explain(p, [web, db], q("web", "db", "icmp")).verdict).toBe("allowed");
    expect(explain(p, [web, db], q("web", "db", "icmp/0")).verdict).toBe("blocked");
  });
});

describe("runPolicyTests", () => {
  const t = (from: string, to: string, port: string, expect: "allow" | "deny"): PolicyTest => ({
    from,
    to,
    port,
    expect,
    source: { path: "tests[0]" },
  });
  it("compares expect with Decision.policy, ignoring modes", () => {
    const learning = { ...db, mode: "learn" as const };
    const results = runPolicyTests(
      policy([allowWebDb]),
      [web, learning],
      [
        t("web", "db", "tcp/5432", "allow"),
        t("web", "db", "tcp/22", "deny"),
        t("web", "db", "tcp/22", "allow"),
        t("198.18.0.1", "198.18.0.2", "tcp/5432", "allow"),
      ],
    );
    expect(results.map((r) => r.passed)).toEqual([true, true, false, true]);
    expect(results[1]?.decision?.verdict).toBe("blocked");
  });
  it("a test that cannot be evaluated fails with a reason and no decision", () => {
    const [r1, r2] = runPolicyTests(
      policy([]),
      [web],
      [t("web", "ghost", "tcp/1", "deny"), t("web", "198.18.0.9", "tcp/99999", "deny")],
    );
    expect(r1?.passed).toBe(false);
    expect(r1?.decision).toBeUndefined();
    expect(r1?.error).toMatch(/ghost/);
    expect(r2?.error).toMatch(/1-65535/);
  });
});
