// `microseg demo` end to end in the real kernel, with short durations: every step runs on the
// demo lab through the real commands (in process), and each step's result is asserted — flows
// seen (an undeclared scanner's sweep of closed ports counted apart, alerted, and learned into
// no rule), policy provisioned, nothing normal would be blocked, enforcement, the attacker's
// scan blocked and its scan, lateral-movement and spread alerts raised, the attacker cut off by quarantine while the
// shop's traffic goes on. Capabilities this build lacks are asserted as reported, not faked.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DemoTools,
  labDown,
  labNamespaces,
  labTrafficOnce,
  readState,
  type StepResult,
  SWEPT_HOSTS,
  SWEPT_PORTS,
} from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { program } from "../main.js";
import { runMain } from "../testing/run-main.js";
import { hasCommand, runDemoCommand } from "./demo.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-demo-state-"));
const said: string[] = [];
let root: ReturnType<typeof program> | undefined;
const tools: DemoTools = {
  cli: (args) => runMain([...args]),
  has: (path) => {
    root ??= program();
    return hasCommand(root, path);
  },
  say: (text) => {
    said.push(text);
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

describePrivileged("microseg demo: the whole story on the demo lab", () => {
  const previous = process.env.MICROSEG_LAB_DIR;
  let results: StepResult[] = [];
  let code = -1;

  beforeAll(async () => {
    process.env.MICROSEG_LAB_DIR = dir;
    await labDown({ dir });
    const run = await runMainJson(() =>
      runDemoCommand(
        { learnSeconds: 6, testSeconds: 4, pauseSeconds: 1, json: true },
        undefined,
        tools,
      ),
    );
    code = run.code;
    results = run.json.steps;
  }, 300_000);

  afterAll(async () => {
    await labDown({ dir });
    if (previous === undefined) delete process.env.MICROSEG_LAB_DIR;
    else process.env.MICROSEG_LAB_DIR = previous;
  });

  const step = (name: string) => {
    const r = results.find((s) => s.step === name);
    if (r === undefined) throw new Error(`no result for ${name}:\n${said.join("\n")}`);
    return r;
  };

  it("runs all six steps and leaves the demo lab up with its console URL and token", () => {
    expect(results.map((r) => r.step)).toEqual([
      "learn",
      "recommend",
      "test",
      "enforce",
      "attack",
      "quarantine",
    ]);
    const state = readState(dir);
    expect(state).toMatchObject({ lab: "demo", phase: "up" });
    const text = said.join("\n");
    expect(text).toContain(`Console:      ${state?.controller?.url}/`);
    expect(text).toContain(`Admin token:  ${state?.controller?.token}`);
    expect(code, said.join("\n")).toBe(0);
  });

  it("learn: the shop's traffic is in the flow graph", () => {
    const r = step("learn");
    expect(r.ok, said.join("\n")).toBe(true);
    if (r.available) {
      expect(r.data.edges).toBeGreaterThanOrEqual(17);
      expect(r.data.covered).toBe(r.data.attempted);
    } else {
      expect(r.data.attempts).toBeGreaterThan(0);
    }
  });

  it("learn: vuln-1's sweep of closed ports is refused, counted apart and raises a scan alert", () => {
    const r = step("learn");
    const sweepPorts = SWEPT_PORTS.length * SWEPT_HOSTS.length;
    expect(r.data.sweep).toEqual({ attempts: sweepPorts, connected: 0 });
    // the graph's established edges are the shop's day; the sweep's contacts are apart
    expect(r.data.failed).toBeGreaterThanOrEqual(sweepPorts);
    expect(r.data.scanAlert, said.join("\n")).toBe(true);
    expect(said.join("\n")).toMatch(
      /\d+ failed contacts hidden .*microseg flows --outcome refused/,
    );
    expect(said.join("\n")).toMatch(/(high|medium)\s+scan\s+\S+\s+vuln-1 scanned/);
  });

  it("recommend: a draft is saved; test: provisioned, nothing normal would be blocked", () => {
    const recommend = step("recommend");
    expect(recommend.ok).toBe(true);
    if (recommend.available) {
      expect(recommend.data.coveragePercent).toBeGreaterThanOrEqual(90);
      expect(recommend.data.replayCode, said.join("\n")).toBe(0);
      expect(recommend.data.sweptPortsOpened).toEqual([]);
      expect(recommend.data.leftOut).toMatch(/^left out \d+ flow edges: \d+ refused/);
    }
    const test = step("test");
    expect(test.ok, said.join("\n")).toBe(true);
    expect(test.data).toMatchObject({ provisioned: true, allowed: 17, flows: 17 });
    if (test.available) expect(test.data.wouldBlock).toBe(0);
  });

  it("enforce: every normal flow goes through, connections outside the normal day do not", () => {
    const r = step("enforce");
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({ allowed: 17, flows: 17 });
    expect(r.data).toMatchObject({ outside: 3, outsideBlocked: 3 });
  });

  it("attack: blocked by the enforced policy; scan, lateral movement and spread all alerted", () => {
    const r = step("attack");
    expect(r.ok, said.join("\n")).toBe(true);
    expect(r.data.blocked).toBeGreaterThan(0);
    expect(r.data.blocked as number).toBeLessThanOrEqual(r.data.attempts as number);
    expect(new Set(r.data.kinds as string[])).toEqual(
      new Set(["scan", "lateral-movement", "ransomware-spread"]),
    );
    expect(r.data.missingKinds).toEqual([]);
    for (const kind of ["scan", "lateral-movement", "ransomware-spread"]) {
      expect(said.join("\n")).toMatch(new RegExp(`\\s${kind}\\s+\\S+\\s+attacker`));
    }
  });

  it("alerts name only the attacker and the undeclared scanner's sweep; the shop's day raises none", async () => {
    const r = await runMain(["alerts", "--json"]);
    const alerts = (JSON.parse(r.out) as { alerts: { source: string; kind: string }[] }).alerts;
    expect([...new Set(alerts.map((a) => a.source))].sort()).toEqual(["attacker", "vuln-1"]);
    expect(new Set(alerts.filter((a) => a.source === "vuln-1").map((a) => a.kind))).toEqual(
      new Set(["scan"]),
    );
  });

  it("the recorded flows, learned again now, still open none of the swept ports", async () => {
    const r = await runMain(["policy", "recommend", "--since", "1h", "--json"]);
    expect(r.code, r.err).toBe(0);
    const rec = JSON.parse(r.out) as {
      rules: { services?: string[] }[];
      leftOut: { refused: number };
    };
    const services = new Set(rec.rules.flatMap((x) => x.services ?? ["any"]));
    expect(services.has("any")).toBe(false);
    for (const port of SWEPT_PORTS) expect(services.has(`tcp/${port}`)).toBe(false);
    expect(rec.leftOut.refused).toBeGreaterThanOrEqual(SWEPT_PORTS.length * SWEPT_HOSTS.length);
  });

  it("quarantine: the attacker's connections are blocked while the shop's go on", () => {
    const r = step("quarantine");
    expect(r.available).toBe(true);
    expect(r.ok, said.join("\n")).toBe(true);
    expect(r.data.attackerBlocked).toBe(r.data.attackerFlows);
    expect(r.data.attackerFlows).toBeGreaterThan(0);
    expect(r.data.normalAllowed).toBe(r.data.normalFlows);
  });

  it("demo down removes the lab", async () => {
    const r = await runMain(["demo", "down"]);
    expect(r.code).toBe(0);
    expect(await labNamespaces()).toEqual([]);
  });

  it("--step enforce alone on a fresh demo lab refuses to enforce the empty policy", async () => {
    const run = await runMainJson(() =>
      runDemoCommand(
        { step: "enforce", learnSeconds: 1, testSeconds: 1, pauseSeconds: 1, json: true },
        undefined,
        tools,
      ),
    );
    expect(run.code).toBe(1);
    expect(run.json.steps).toEqual([
      expect.objectContaining({ step: "enforce", available: true, ok: false }),
    ]);
    // still learn mode: the shop's traffic goes through
    const once = await labTrafficOnce({ dir });
    expect(once.every((r) => r.verdict === "allowed")).toBe(true);
    await labDown({ dir });
  }, 120_000);
});

/** Runs `fn`, capturing what it writes on stdout (its --json answer). */
async function runMainJson(
  fn: () => Promise<number>,
): Promise<{ code: number; json: { steps: StepResult[] } }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await fn();
    return { code, json: JSON.parse(out.slice(out.indexOf("{"))) };
  } finally {
    process.stdout.write = write;
  }
}
