// `microseg demo` without root: help, the missing-prerequisites answer (checks faked; nothing
// may be touched), step choice, and how the exit code follows the steps' checks.
import type { DemoTools, StepResult } from "@microseg/lab";
import { describe, expect, it, vi } from "vitest";
import { program } from "../main.js";
import { runMain } from "../testing/run-main.js";
import { demoExitCode, hasCommand, runDemoCommand } from "./demo.js";

const flags = { learnSeconds: 1, testSeconds: 1, pauseSeconds: 1 };

/** Tools that fail the test if the demo uses any of them. */
const untouchable: DemoTools = {
  cli: () => Promise.reject(new Error("ran a command")),
  has: () => {
    throw new Error("looked for a command");
  },
  say: () => {
    throw new Error("started the story");
  },
  sleep: () => Promise.reject(new Error("waited")),
};

describe("microseg demo", () => {
  it("--help teaches the story, the steps and the examples", async () => {
    const r = await runMain(["demo", "--help"]);
    expect(r.code).toBe(0);
    for (const step of ["learn", "recommend", "test", "enforce", "attack", "quarantine"]) {
      expect(r.out).toContain(step);
    }
    expect(r.out).toMatch(/Examples:\n\s+\$ sudo npx microseg demo\n/);
    expect(r.out).toContain("microseg demo down");
  });

  it("demo down --help has an example", async () => {
    const r = await runMain(["demo", "down", "--help"]);
    expect(r).toMatchObject({
      code: 0,
      out: expect.stringMatching(/\$ sudo npx microseg demo down/),
    });
  });

  it("refuses an unknown step as a usage error", async () => {
    const r = await runMain(["demo", "--step", "celebrate"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/learn, recommend, test, enforce, attack, quarantine/);
  });

  it("names what is missing, how to install it, and touches nothing", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await runDemoCommand(
        flags,
        { isRoot: () => true, hasProgram: (p) => p === "ip" },
        untouchable,
      );
      expect(code).toBe(3);
      const text = err.mock.calls.map((c) => String(c[0])).join("");
      expect(text).toContain("`nft` (package nftables)");
      expect(text).toContain("`conntrack` (package conntrack)");
      expect(text).toContain("sudo apt-get install -y nftables conntrack");
      expect(text).toContain("Nothing was changed on this machine.");
    } finally {
      err.mockRestore();
    }
  });

  it("asks for root before anything else happens", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await runDemoCommand(
        flags,
        { isRoot: () => false, hasProgram: () => true },
        untouchable,
      );
      expect(code).toBe(3);
      expect(err.mock.calls.map((c) => String(c[0])).join("")).toContain("sudo npx microseg demo");
    } finally {
      err.mockRestore();
    }
  });

  it("knows which commands this build has", () => {
    const root = program();
    expect(hasCommand(root, ["lab", "traffic"])).toBe(true);
    expect(hasCommand(root, ["policy", "check"])).toBe(true);
    expect(hasCommand(root, ["policy", "no-such-command"])).toBe(false);
    expect(hasCommand(root, ["no-such-command"])).toBe(false);
  });
});

describe("demo exit code", () => {
  const result = (ok: boolean, available: boolean): StepResult => ({
    step: "learn",
    ok,
    available,
    summary: "",
    data: {},
  });

  it("is 0 when every available step held its check, also with missing capabilities", () => {
    expect(demoExitCode([result(true, true), result(false, false)])).toBe(0);
  });

  it("is 1 when a step that ran with its capability failed its check", () => {
    expect(demoExitCode([result(true, true), result(false, true)])).toBe(1);
  });
});
