// `@microseg/protocol/agent` is what an agent process loads: it must not pull in the whole core
// (its YAML reader, compiler), only core's small subpath entries.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const SPECIFIER = /^(?:import|export)\s[^"']*?from\s+["']([^"']+)["']/gm;

function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
    const spec = m[1] ?? "";
    if (spec.startsWith(".")) reachable(join(dirname(file), spec.replace(/\.js$/, ".ts")), seen);
    else seen.add(spec);
  }
  return seen;
}

describe("@microseg/protocol/agent", () => {
  it("imports core only through its small entries (checks, errors)", () => {
    const all = [...reachable(join(import.meta.dirname, "agent-channel.ts"))];
    const core = all.filter((s) => s.startsWith("@microseg/core"));
    expect(core.length).toBeGreaterThan(0);
    expect(core.filter((s) => !/^@microseg\/core\/(checks|errors)$/.test(s))).toEqual([]);
  });
});
