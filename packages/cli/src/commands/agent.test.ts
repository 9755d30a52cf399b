// `microseg agent` argument handling in process (nothing is started: every case fails early).

import { toOptions } from "@microseg/agent/command";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main, program } from "../main.js";

let err = "";
beforeEach(() => {
  err = "";
  vi.spyOn(process.stderr, "write").mockImplementation((c) => {
    err += String(c);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe("microseg agent", () => {
  it("needs --ca-fingerprint for an https controller", async () => {
    const code = await main([
      "agent",
      "--controller",
      "https://198.18.0.1:8443",
      "--state-dir",
      "/nonexistent",
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/--ca-fingerprint/);
  });

  it("rejects a fingerprint that is not SHA-256 hex", async () => {
    const args = ["--controller", "https://198.18.0.1:8443", "--ca-fingerprint", "abc"];
    expect(await main(["agent", ...args, "--state-dir", "/nonexistent"])).toBe(2);
    expect(err).toMatch(/not a SHA-256 fingerprint/);
  });

  it("rejects a URL that is not http(s) and a bad --default-before-policy", async () => {
    expect(await main(["agent", "--controller", "ftp://x", "--state-dir", "/nonexistent"])).toBe(2);
    expect(err).toMatch(/https:\/\//);
    const bad = [
      "--controller",
      "http://x",
      "--state-dir",
      "/d",
      "--default-before-policy",
      "open",
    ];
    expect(await main(["agent", ...bad])).toBe(2);
  });

  it("passes every --skip-interface to the agent", () => {
    const agent = program().commands.find((c) => c.name() === "agent");
    agent
      ?.exitOverride()
      .parseOptions([
        "--controller",
        "http://x",
        "--state-dir",
        "/d",
        "--skip-interface",
        "docker0",
        "--skip-interface",
        "br-*",
      ]);
    const opts = toOptions(agent?.opts() as Parameters<typeof toOptions>[0]);
    expect(opts.skipInterfaces).toEqual(["docker0", "br-*"]);
  });

  it("passes --metrics-listen to the agent, and leaves the listener off without it", () => {
    const parse = (extra: string[]) => {
      const agent = program().commands.find((c) => c.name() === "agent");
      agent
        ?.exitOverride()
        .parseOptions(["--controller", "http://x", "--state-dir", "/d", ...extra]);
      return toOptions(agent?.opts() as Parameters<typeof toOptions>[0]);
    };
    expect(parse(["--metrics-listen", "127.0.0.1:9464"]).metricsListen).toBe("127.0.0.1:9464");
    expect(parse([]).metricsListen).toBeUndefined();
  });
});
