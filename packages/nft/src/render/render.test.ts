// Golden tests: testdata/render/<case>/{ruleset.json, options.json?} -> expected.nft.json.
// UPDATE_GOLDEN=1 rewrites the expected files; review them as diffs.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuleSet } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { type RenderOptions, renderRuleSet } from "./index.js";

const root = new URL("../../testdata/render/", import.meta.url).pathname;
const cases = readdirSync(root).sort();
const update = process.env.UPDATE_GOLDEN === "1";

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

describe("renderRuleSet golden files", () => {
  it("has the cases the renderer promises to cover", () => {
    expect(cases).toEqual(
      expect.arrayContaining(["enforce-sets", "test-mode", "learn-mode", "ipv6-only", "any-peer"]),
    );
    expect(cases).toEqual(expect.arrayContaining(["icmp", "port-ranges", "empty"]));
  });

  for (const name of cases) {
    it(name, () => {
      const dir = join(root, name);
      const ruleSet = readJson<RuleSet>(join(dir, "ruleset.json"));
      const optionsPath = join(dir, "options.json");
      const options = existsSync(optionsPath) ? readJson<RenderOptions>(optionsPath) : {};
      const actual = `${JSON.stringify(renderRuleSet(ruleSet, options), null, 2)}\n`;
      const expectedPath = join(dir, "expected.nft.json");
      if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, actual);
      expect(actual).toBe(readFileSync(expectedPath, "utf8"));
    });
  }
});
