// The installed entry point works: `npx microseg` runs the built CLI (npm test builds first).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const bin = join(root, "node_modules/.bin/microseg");

describe("microseg entry point", () => {
  it("is linked and built", () => {
    expect(existsSync(bin), "node_modules/.bin/microseg missing: run npm ci").toBe(true);
    expect(existsSync(join(root, "packages/cli/dist/main.js")), "run npm run build").toBe(true);
  });

  it("prints help that lists the command groups, exit 0", () => {
    const run = spawnSync(bin, ["--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/policy/);
    expect(run.stdout).toMatch(/lab/);
  });

  it("exits 2 on an unknown command", () => {
    const run = spawnSync(bin, ["no-such-command"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command/);
  });
});
