// The demo's steps with fake tools (no lab, no root): a missing capability is said plainly and
// reported as such, the real command's output is shown and read. The same steps run for real in
// packages/cli/src/commands/demo.privileged.test.ts.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DemoContext } from "./session.js";
import { commandLine, indented, jsonOf } from "./show.js";
import { attackStep } from "./step-attack.js";
import { learnStep, recommendStep } from "./step-learn.js";
import { SWEEP_ARGS, SWEPT_HOSTS, SWEPT_PORTS, sweptPortsIn } from "./sweep.js";
import type { CliRun, DemoTools } from "./types.js";

/** A canned answer, or one computed from the command line (e.g. a count of calls so far). */
type Answer = CliRun | ((args: readonly string[]) => CliRun);

function fakeContext(has: (path: readonly string[]) => boolean, answers: Record<string, Answer>) {
  const said: string[] = [];
  const ran: string[] = [];
  const tools: DemoTools = {
    cli: async (args) => {
      ran.push(args.join(" "));
      const answer = answers[args.slice(0, 2).join(" ")] ?? { code: 0, out: "", err: "" };
      return typeof answer === "function" ? answer(args) : answer;
    },
    has,
    say: (text) => {
      said.push(text);
    },
    sleep: async () => {},
  };
  const ctx = {
    tools,
    opts: { learnSeconds: 1, testSeconds: 1, alertSeconds: 1 },
    dir: mkdtempSync(join(tmpdir(), "mseg-demo-steps-")),
  } as unknown as DemoContext;
  return { ctx, said, ran };
}

describe("demo recommend step", () => {
  it("without policy recommend: says so, saves the reference policy, reports it unavailable", async () => {
    const { ctx, said, ran } = fakeContext(() => false, {
      "policy apply": { code: 0, out: "draft saved: 5 rules\n", err: "" },
    });
    const r = await recommendStep(ctx);
    expect(ran).toEqual([
      expect.stringMatching(/^policy apply .*examples\/demo\/reference-policy\.yaml$/),
    ]);
    expect(said.join("\n")).toMatch(/policy recommend is not in this build of microseg yet/);
    expect(r).toMatchObject({ step: "recommend", available: false, ok: true });
    expect(r.data).toMatchObject({ source: "reference" });
  });

  it("with it: runs recommend --save, shows coverage and YAML, replays the draft", async () => {
    const { ctx, said, ran } = fakeContext(() => true, {
      "policy recommend": {
        code: 0,
        out: "apiVersion: microseg/v1\nrules: []\n",
        err: "coverage: 24 of 25 flow edges (96%), 90 of 93 connections\n",
      },
      "policy diff": {
        code: 0,
        out: "ruleset diff…\nreplay: 25 recorded flow edges\nnewly blocked: 0\n",
        err: "",
      },
    });
    const r = await recommendStep(ctx);
    expect(ran).toEqual(["policy recommend --save", "policy diff --replay 1h"]);
    expect(r).toMatchObject({ available: true, ok: true });
    expect(r.data).toMatchObject({ source: "recommend", coveragePercent: 96, replayCode: 0 });
    const text = said.join("\n");
    expect(text).toContain("    coverage: 24 of 25 flow edges (96%)");
    expect(text).toContain("    apiVersion: microseg/v1");
    expect(text).toContain("    replay: 25 recorded flow edges");
    expect(text).not.toContain("ruleset diff");
  });

  it("a failing recommend fails the step and replays nothing", async () => {
    const { ctx, ran } = fakeContext(() => true, {
      "policy recommend": { code: 3, out: "", err: "error: controller unreachable\n" },
    });
    const r = await recommendStep(ctx);
    expect(r).toMatchObject({ available: true, ok: false, summary: "recommend failed" });
    expect(ran).toEqual(["policy recommend --save"]);
  });
});

const json = (body: unknown): CliRun => ({ code: 0, out: JSON.stringify(body), err: "" });

const alert = (kind: string, severity = "high") => ({
  id: `al-${kind}`,
  kind,
  severity,
  source: "attacker",
  targets: ["db-1"],
  summary: `attacker ${kind}`,
});

describe("demo learn step: an undeclared scanner sweeps closed ports while the estate learns", () => {
  const shop = [
    { from: "web-1", to: "app-1", port: "tcp/8080", verdict: "allowed", outcome: "established" },
    { from: "app-1", to: "db-1", port: "tcp/5432", verdict: "allowed", outcome: "established" },
  ].map((e) => ({ ...e, count: 5 }));
  const swept = SWEPT_HOSTS.flatMap((to) =>
    SWEPT_PORTS.map((p) => ({
      from: "vuln-1",
      to,
      port: `tcp/${p}`,
      verdict: "allowed",
      outcome: "refused",
      count: 1,
    })),
  );
  const scanAlert = {
    id: "al-m3x2k-1a2b3c4d",
    kind: "scan",
    severity: "high",
    source: "vuln-1",
    targets: [...SWEPT_HOSTS],
    summary: "vuln-1 scanned 16 ports on 6 hosts",
  };

  function learning(alerts: unknown[]) {
    const fake = fakeContext(() => true, {
      "lab attack": json({ attempts: swept.length, connected: [] }),
      "flows --json": json({ edges: [...shop, ...swept] }),
      "alerts --source": json({ alerts }),
    });
    writeFileSync(
      join(fake.ctx.dir, "traffic-status.json"),
      JSON.stringify({
        flows: shop.map((e) => ({ ...e, everyMs: 2000, attempts: 5, allowed: 5, blocked: 0 })),
      }),
    );
    return fake;
  }

  it("sweeps, shows only established edges, counts the failed contacts apart, prints the scan alert", async () => {
    const { ctx, said, ran } = learning([scanAlert]);
    const r = await learnStep(ctx);
    expect(ran[0]).toBe([...SWEEP_ARGS, "--json"].join(" "));
    expect(ran).toContain("alerts --source vuln-1 --json");
    const text = said.join("\n");
    expect(text).toContain(`$ microseg ${SWEEP_ARGS.join(" ")}`);
    expect(text).toContain("    96 attempts, 0 connected");
    expect(text).toMatch(/web-1\s+app-1\s+tcp\/8080\s+allowed\s+5/);
    expect(text).not.toMatch(/vuln-1\s+\S+\s+tcp\/\d+\s+allowed/);
    expect(text).toContain(
      "96 failed contacts hidden (never answered; 96 of them from vuln-1): microseg flows --outcome refused shows them",
    );
    expect(text).toMatch(/high\s+scan\s+al-m3x2k-1a2b3c4d\s+vuln-1 scanned 16 ports on 6 hosts/);
    expect(r).toMatchObject({ step: "learn", available: true, ok: true });
    expect(r.data).toMatchObject({
      edges: 2,
      covered: 2,
      failed: 96,
      sweep: { attempts: 96, connected: 0 },
      scanAlert: true,
      scanAlertId: "al-m3x2k-1a2b3c4d",
    });
  });

  it("a sweep that raised no scan alert fails the step", async () => {
    const { ctx, said } = learning([]);
    const r = await learnStep(ctx);
    expect(r).toMatchObject({ ok: false, data: { scanAlert: false } });
    expect(said.join("\n")).toContain("no alert about vuln-1 within 1 s");
  });
});

describe("demo recommend step: the sweep opens nothing", () => {
  const leftOut = "left out 96 flow edges: 96 refused";

  it("prints the left-out line and that no swept port is in the rules", async () => {
    const { ctx, said } = fakeContext(() => true, {
      "policy recommend": {
        code: 0,
        out: "apiVersion: microseg/v1\nrules:\n  - { name: app-to-db, from: { role: app }, to: { role: db }, services: [tcp/5432] }\n",
        err: `coverage: 17 of 17 flow edges (100%), 90 of 90 connections\n${leftOut}\n`,
      },
    });
    const r = await recommendStep(ctx);
    const text = said.join("\n");
    expect(text).toContain(`    ${leftOut}`);
    expect(text).toContain("None of the 16 ports vuln-1 swept is in the proposed rules");
    expect(r).toMatchObject({ ok: true, data: { sweptPortsOpened: [], leftOut } });
  });

  it("a recommendation that opens a swept port fails the step and names the port", async () => {
    const { ctx, said } = fakeContext(() => true, {
      "policy recommend": {
        code: 0,
        out: "rules:\n  - { name: x, from: any, to: { role: db }, services: [tcp/5432, tcp/3306] }\n",
        err: `${leftOut}\n`,
      },
    });
    const r = await recommendStep(ctx);
    expect(r).toMatchObject({ ok: false, data: { sweptPortsOpened: [3306] } });
    expect(said.join("\n")).toContain("The proposed rules open ports vuln-1 swept: 3306");
  });

  it("reads inline ports, ranges, named services and rules without services", () => {
    const rule = (services: string) => `rules:\n  - { from: any, to: any${services} }\n`;
    expect(sweptPortsIn(rule(", services: [tcp/443, tcp/22]"))).toEqual([]);
    expect(sweptPortsIn(rule(", services: [tcp/20-26]"))).toEqual([21, 25]);
    expect(
      sweptPortsIn(
        `services:\n  - { name: mysql, ports: [tcp/3306] }\n${rule(", services: [mysql]")}`,
      ),
    ).toEqual([3306]);
    expect(sweptPortsIn(rule(""))).toEqual([...SWEPT_PORTS]);
    // a deny rule opens nothing; a scope's rule does
    expect(sweptPortsIn(rule(", action: deny, services: [tcp/80]"))).toEqual([]);
    const scoped =
      "scopes:\n  - name: s\n    match: { env: prod }\n    rules:\n      - { from: any, to: any, services: [tcp/80] }\n";
    expect(sweptPortsIn(scoped)).toEqual([80]);
  });
});

describe("demo attack step: waits until scan, lateral movement and spread are all raised", () => {
  const attacked = (alertsAt: (call: number) => unknown[]) => {
    let calls = 0;
    return fakeContext(() => true, {
      "lab attack": json({ attempts: 100, connected: [] }),
      "alerts --source": () => json({ alerts: alertsAt(calls++) }),
    });
  };

  it("keeps polling past the first alert, prints all three, ok", async () => {
    const { ctx, said, ran } = attacked((call) =>
      [alert("scan"), alert("lateral-movement"), alert("ransomware-spread", "critical")].slice(
        0,
        call + 1,
      ),
    );
    const r = await attackStep(ctx);
    expect(ran.filter((c) => c === "alerts --source attacker --json")).toHaveLength(3);
    const text = said.join("\n");
    for (const kind of ["scan", "lateral-movement", "ransomware-spread"]) {
      expect(text).toMatch(new RegExp(`\\s${kind}\\s+al-${kind}\\s+attacker ${kind}`));
    }
    expect(r).toMatchObject({ step: "attack", available: true, ok: true });
    expect(r.data).toMatchObject({
      alerts: 3,
      kinds: ["scan", "lateral-movement", "ransomware-spread"],
      missingKinds: [],
    });
  });

  it("without every kind by the deadline: not ok, names what is missing", async () => {
    const { ctx, said } = attacked(() => [alert("scan")]);
    const r = await attackStep(ctx);
    expect(r).toMatchObject({ available: true, ok: false });
    expect(r.data).toMatchObject({ missingKinds: ["lateral-movement", "ransomware-spread"] });
    expect(said.join("\n")).toContain("not raised within 1 s: lateral-movement, ransomware-spread");
  });
});

describe("demo output helpers", () => {
  it("prints commands as typed, quoting what needs it", () => {
    expect(commandLine(["policy", "provision", "-m", "demo: the learned policy"])).toBe(
      "$ microseg policy provision -m 'demo: the learned policy'",
    );
    expect(commandLine(["quarantine", "x", "--reason", "it's bad"])).toBe(
      "$ microseg quarantine x --reason 'it'\\''s bad'",
    );
    expect(commandLine(["flows", "--since", "2026-01-01T00:00:00.000Z"])).toBe(
      "$ microseg flows --since 2026-01-01T00:00:00.000Z",
    );
  });

  it("indents output and cuts it with a count of what was left out", () => {
    const run = { code: 0, out: "a\nb\nc\n", err: "d\n" };
    expect(indented(run)).toBe("    a\n    b\n    c\n    d");
    expect(indented(run, 2)).toBe("    a\n    b\n    … (2 more lines)");
  });

  it("reads --json output, and nothing from text", () => {
    expect(jsonOf<{ a: number }>({ code: 0, out: '{"a":1}', err: "" })).toEqual({ a: 1 });
    expect(jsonOf({ code: 0, out: "not json", err: "" })).toBeUndefined();
  });
});
