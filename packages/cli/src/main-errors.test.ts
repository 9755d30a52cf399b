// An unexpected failure (a bug) ends the command with exit 3 and one line naming MSEG_INTERNAL;
// never exit 1 (which `policy check` keeps for a failed test) and never a stack trace, unless
// MICROSEG_DEBUG=1 asks for it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "./main.js";

vi.mock("@microseg/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@microseg/core")>();
  return {
    ...core,
    runPolicyTests: () => {
      throw new RangeError("Maximum call stack size exceeded");
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), "microseg-main-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, "p.yaml");
writeFileSync(policy, "rules: []\n");

let err = "";
beforeEach(() => {
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.MICROSEG_DEBUG;
});

describe("main on an unexpected error", () => {
  it("exits 3 with one line and no stack trace", async () => {
    const code = await main(["policy", "check", policy]);
    expect(code).toBe(3);
    const lines = err.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: unexpected failure \(RangeError: Maximum call stack size exceeded\); .*MICROSEG_DEBUG=1.* \[MSEG_INTERNAL\]$/,
    );
  });

  it("prints the stack with MICROSEG_DEBUG=1", async () => {
    process.env.MICROSEG_DEBUG = "1";
    const code = await main(["policy", "check", policy]);
    expect(code).toBe(3);
    expect(err).toMatch(/\[MSEG_INTERNAL\]\nRangeError: Maximum call stack size exceeded\n\s+at /);
  });
});
