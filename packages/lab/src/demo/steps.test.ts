// The demo's steps with fake tools (no lab, no root): a missing capability is said plainly and
// reported as such, the real command's output is shown and read. The same steps run for real in
// packages/cli/src/commands/demo.privileged.test.ts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DemoContext } from "./session.js";
import { commandLine, indented, jsonOf } from "./show.js";
import { recommendStep } from "./step-learn.js";
import type { CliRun, DemoTools } from "./types.js";

function fakeContext(has: (path: readonly string[]) => boolean, answers: Record<string, CliRun>) {
  const said: string[] = [];
  const ran: string[] = [];
  const tools: DemoTools = {
    cli: async (args) => {
      ran.push(args.join(" "));
      return answers[args.slice(0, 2).join(" ")] ?? { code: 0, out: "", err: "" };
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
