// `microseg policy check` on hostile input: each limit is an ordinary invalid-input answer (exit 2,
// one line per problem with its code), never a stack trace, never exit 1 (a failed test).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { aliasBomb, BOMB_RULE, manyDocuments } from "../../../core/src/testing/hostile-policy.js";
import { runMain } from "../testing/run-main.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("policy check on hostile input", () => {
  it("refuses the 215 KB alias bomb with exit 2 and one line, no stack trace", async () => {
    const bomb = file("bomb.yaml", aliasBomb(2820, 499, BOMB_RULE.replace("5432", "0")));
    const { code, out, err } = await runMain(["policy", "check", bomb]);
    expect(code).toBe(2);
    expect(err).toMatch(
      new RegExp(
        `^${bomb}:2829: the file expands to more than 200,000 YAML nodes .*\\[MSEG_YAML_TOO_MANY_NODES\\]$`,
        "m",
      ),
    );
    expect(err).toMatch(/^1 problem found; fix them and run again\.$/m);
    expect(err).not.toMatch(/^\s+at /m);
    expect(out).toBe("");
  });

  it("refuses 5,000 documents with exit 2, also as JSON", async () => {
    const many = file("many.yaml", manyDocuments(5000));
    const { code, out } = await runMain(["policy", "check", many, "--json"]);
    expect(code).toBe(2);
    const json = JSON.parse(out) as {
      valid: boolean;
      diagnostics: { code: string; line: number }[];
    };
    expect(json.valid).toBe(false);
    expect(json.diagnostics).toEqual([
      expect.objectContaining({ code: "MSEG_YAML_TOO_MANY_DOCUMENTS", line: 2000 }),
    ]);
  });

  it("refuses a file over 1 MiB without reading it as policy", async () => {
    const big = file("big.yaml", `# ${"x".repeat(1_100_000)}\n`);
    const { code, err } = await runMain(["policy", "check", big]);
    expect(code).toBe(2);
    expect(err).toMatch(/more than the limit of 1,048,576 bytes per file.*\[MSEG_YAML_TOO_LARGE\]/);
  });

  it("refuses a scenario alias bomb the same way", async () => {
    const hosts = Array.from({ length: 500 }, (_, i) => `  - { name: h${i}, labels: *l }`);
    const labels = Array.from({ length: 500 }, (_, i) => `    k${i}: v`);
    const scenario = file(
      "scenario.yaml",
      `x: &l\n${labels.join("\n")}\nhosts:\n${hosts.join("\n")}\n`,
    );
    const { code, err } = await runMain(["policy", "check", scenario]);
    expect(code).toBe(2);
    expect(err).toMatch(/\[MSEG_YAML_TOO_MANY_NODES\]/);
    expect(err).not.toMatch(/^\s+at /m);
  });
});
