// Keeps the dependency direction firm: arrows point down only.
//   core            imports nothing of the workspace and no node:* (pure)
//   nft/render      imports only core (pure)
//   export          imports only core (pure)
//   insight         imports only core (pure): flow analytics, detectors
//   protocol        imports only core and zod (pure): the wire contract
//   store           imports only core (node:* and better-sqlite3 allowed)
//   nft, lab, cli   may use node:*; controller and agent never import each other
//   agent           imports core, nft, protocol (never controller)
//   client          imports core, protocol: the admin API client (cli, lab may use it)
//   web/src/app     the console (browser): only TYPES of protocol and core, no node:*; the
//                   controller serves its built files and never imports it
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** Which workspace packages each package (or sub-folder) may import; `pure` forbids node:*. */
const RULES: { dir: string; allow: string[]; pure: boolean; typesOnly?: boolean }[] = [
  { dir: "packages/core/src", allow: [], pure: true },
  { dir: "packages/nft/src/render", allow: ["core"], pure: true },
  { dir: "packages/nft/src", allow: ["core", "nft"], pure: false },
  // lab runs the controller and the agent as processes (src/programs/*.js import them)
  {
    dir: "packages/lab/src",
    allow: ["core", "nft", "lab", "client", "controller", "agent"],
    pure: false,
  },
  { dir: "packages/store/src", allow: ["core", "store"], pure: false },
  { dir: "packages/export/src", allow: ["core"], pure: true },
  { dir: "packages/insight/src", allow: ["core", "insight"], pure: true },
  { dir: "packages/protocol/src", allow: ["core"], pure: true },
  { dir: "packages/controller/src", allow: ["core", "protocol", "store", "insight"], pure: false },
  { dir: "packages/agent/src", allow: ["core", "nft", "protocol", "agent"], pure: false },
  { dir: "packages/client/src", allow: ["core", "protocol", "client"], pure: false },
  { dir: "packages/web/src/app", allow: ["core", "protocol"], pure: true, typesOnly: true },
  // the console's browser-test harness (Node): starts a real controller
  {
    dir: "packages/web/src/testing",
    allow: ["core", "protocol", "controller", "lab", "nft"],
    pure: false,
  },
  {
    dir: "packages/cli/src",
    allow: [
      "core",
      "nft",
      "lab",
      "export",
      "agent",
      "controller",
      "client",
      "protocol",
      "insight",
      "cli",
    ],
    pure: false,
  },
];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "testdata" && name !== "node_modules") out = out.concat(sourceFiles(path));
    } else if (/\.tsx?$/.test(name) && !name.endsWith(".test.ts")) {
      out.push(path);
    }
  }
  return out;
}

function importsOf(file: string): string[] {
  return importsIn(readFileSync(file, "utf8"));
}

/** Workspace imports that bring code, not only types (`import type` and `import { type x }`). */
function valueImportsIn(text: string): string[] {
  const specs = [
    ...text.matchAll(/^import\s+(?!type\s)([^'"]*?)from\s*["'](@microseg\/[^"']+)["']/gm),
  ];
  const bringsValues = (clause: string) =>
    !/^\{[^}]*\}\s*$/.test(clause.trim()) ||
    clause
      .replace(/[{}]/g, "")
      .split(",")
      .some((name) => name.trim() !== "" && !name.trim().startsWith("type "));
  return specs.filter((m) => bringsValues(m[1] ?? "")).map((m) => m[2] ?? "");
}

function importsIn(text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']/gm)];
  const dynamic = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)];
  return [...specs, ...dynamic].map((m) => m[1] ?? "");
}

/** The rule for a file is the most specific matching directory. */
function ruleFor(file: string) {
  const rel = relative(root, file);
  return RULES.filter((r) => rel.startsWith(`${r.dir}/`)).sort(
    (a, b) => b.dir.length - a.dir.length,
  )[0];
}

describe("dependency direction", () => {
  const violations: string[] = [];
  for (const rule of RULES) {
    for (const file of sourceFiles(join(root, rule.dir))) {
      if (ruleFor(file) !== rule) continue;
      for (const spec of importsOf(file)) {
        const ws = /^@microseg\/([a-z-]+)/.exec(spec)?.[1];
        if (ws !== undefined && !rule.allow.includes(ws)) {
          violations.push(`${relative(root, file)} imports ${spec}`);
        }
        if (
          rule.pure &&
          (spec.startsWith("node:") || ["fs", "path", "child_process", "os"].includes(spec))
        ) {
          violations.push(`${relative(root, file)} is pure but imports ${spec}`);
        }
        if (rule.typesOnly === true && valueImportsIn(readFileSync(file, "utf8")).includes(spec)) {
          violations.push(`${relative(root, file)} may import only types of ${spec}`);
        }
        if (rule.dir === "packages/nft/src/render" && spec.startsWith("..")) {
          violations.push(`${relative(root, file)} reaches outside render/ (${spec})`);
        }
      }
    }
  }

  it("has no forbidden import", () => {
    expect(violations).toEqual([]);
  });

  it("detects a forbidden import (the scanner itself works)", () => {
    const fake = [
      `import { x } from "@microseg/lab";`,
      `import fs from "node:fs";`,
      `export * from "@microseg/agent";`,
      `const m = await import("@microseg/controller");`,
    ].join("\n");
    expect(importsIn(fake)).toEqual([
      "@microseg/lab",
      "node:fs",
      "@microseg/agent",
      "@microseg/controller",
    ]);
  });

  it("tells type-only workspace imports from ones that bring code (web's rule)", () => {
    const text = [
      `import type { A } from "@microseg/protocol";`,
      `import { type B, type C } from "@microseg/core";`,
      `import { PATHS } from "@microseg/protocol";`,
      `import * as P from "@microseg/core";`,
      `import { type D, pathFor } from "@microseg/protocol";`,
    ].join("\n");
    expect(valueImportsIn(text)).toEqual([
      "@microseg/protocol",
      "@microseg/core",
      "@microseg/protocol",
    ]);
  });
});
