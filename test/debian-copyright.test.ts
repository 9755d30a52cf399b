// debian/copyright (scripts/package/copyright.ts) is a DEP-5 file a parser accepts: for the
// npm packages the agent and the controller really need, every paragraph has its fields, every
// License short name used has exactly one stand-alone text, and no text goes unused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bundle } from "../scripts/package/bundle.ts";
import { debianCopyright, licenseOf } from "../scripts/package/copyright.ts";

const ROOT = join(import.meta.dirname, "..");

type Paragraph = Map<string, string>;

/** deb822 as DEP-5 uses it: paragraphs apart by blank lines, `Name: value`, " " continues. */
function parseDeb822(text: string): Paragraph[] {
  expect(text.endsWith("\n"), "ends with a newline").toBe(true);
  return text
    .trimEnd()
    .split(/\n\n+/)
    .map((block, i) => {
      const p: Paragraph = new Map();
      let last: string | undefined;
      for (const line of block.split("\n")) {
        if (line.startsWith(" ")) {
          expect(last, `paragraph ${i}: a continuation line before any field`).toBeDefined();
          p.set(last as string, `${p.get(last as string)}\n${line.slice(1)}`);
          continue;
        }
        const m = /^([!-9;-~][!-9;-~]*):(?: (.*))?$/.exec(line);
        expect(m, `paragraph ${i}: not a field: ${JSON.stringify(line)}`).not.toBeNull();
        const name = (m as RegExpExecArray)[1] as string;
        expect(p.has(name), `paragraph ${i}: ${name} twice`).toBe(false);
        p.set(name, (m as RegExpExecArray)[2] ?? "");
        last = name;
      }
      return p;
    });
}

/** The short names of a License field's first line: "Expat or Apache-2.0" -> [Expat, Apache-2.0]. */
const shortNames = (license: string) =>
  (license.split("\n")[0] ?? "").split(/\s+(?:or|and)\s+/).map((n) => n.trim());

function checkDep5(text: string) {
  const [header, ...rest] = parseDeb822(text);
  expect(header?.get("Format")).toBe(
    "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
  );
  const files = rest.filter((p) => p.has("Files"));
  const standalone = rest.filter((p) => !p.has("Files"));
  expect(files.length + standalone.length).toBe(rest.length);
  const used = new Set<string>();
  for (const p of files) {
    for (const field of ["Files", "Copyright", "License"]) {
      expect(p.get(field)?.trim(), `${p.get("Files")}: ${field}`).toBeTruthy();
    }
    // A Files paragraph names its license; the text lives in a stand-alone paragraph.
    expect(p.get("License")?.includes("\n"), `${p.get("Files")}: inline text`).toBe(false);
    for (const n of shortNames(p.get("License") ?? "")) {
      expect(n, `${p.get("Files")}: License`).toMatch(/^[A-Za-z0-9][A-Za-z0-9.+-]*$/);
      used.add(n);
    }
  }
  const texts = new Map<string, number>();
  for (const p of standalone) {
    expect([...p.keys()], "a stand-alone paragraph holds License only").toEqual(["License"]);
    const [name, ...body] = (p.get("License") ?? "").split("\n");
    expect(body.join("\n").trim().length, `${name}: text`).toBeGreaterThan(20);
    texts.set(name ?? "", (texts.get(name ?? "") ?? 0) + 1);
  }
  expect(
    [...texts].filter(([, n]) => n !== 1),
    "a text given twice",
  ).toEqual([]);
  expect([...used].filter((n) => !texts.has(n)).sort(), "a license without its text").toEqual([]);
  expect([...texts.keys()].filter((n) => !used.has(n)).sort(), "a text nobody uses").toEqual([]);
  return { files, texts };
}

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A node_modules with the given packages: name -> package.json fields and files. */
function fakeModules(pkgs: Record<string, { json: object; files?: Record<string, string> }>) {
  const root = mkdtempSync(join(tmpdir(), "mseg-copyright-"));
  roots.push(root);
  for (const [name, p] of Object.entries(pkgs)) {
    const dir = join(root, "node_modules", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", ...p.json }));
    for (const [f, text] of Object.entries(p.files ?? {})) writeFileSync(join(dir, f), text);
  }
  return root;
}

const MIT = "Copyright (c) 2020 Jane Doe\n\nPermission is hereby granted, free of charge, to…\n";

describe("debian/copyright", () => {
  it("is DEP-5 for what the agent and the controller bundle, each package by name", async () => {
    // The packages esbuild puts into the two programs, as `npm run package` lists them.
    const out = mkdtempSync(join(tmpdir(), "bundle-"));
    const programs = ["packages/agent/src/bin/entry.ts", "packages/cli/src/entry.ts"];
    const lists = await Promise.all(
      programs.map((p, i) => bundle(join(ROOT, p), join(out, `${i}.mjs`), ["better-sqlite3"])),
    );
    rmSync(out, { recursive: true, force: true });
    const bundled = [...new Set(lists.flatMap((l) => l.packages))];
    expect(bundled).toEqual(expect.arrayContaining(["pino", "commander", "@hono/node-server"]));
    expect(bundled.filter((n) => n.startsWith("@microseg/"))).toEqual([]);
    const { files, texts } = checkDep5(debianCopyright(bundled));
    const patterns = files.map((p) => p.get("Files"));
    expect(patterns.slice(0, 2)).toEqual(["*", "node"]);
    expect(patterns).toContain("node_modules/@hono/node-server/*");
    expect(files.length).toBe(bundled.length + 2);
    const project = files[0] as Paragraph;
    expect([project.get("Copyright"), project.get("License")]).toEqual([
      "2026 The microseg authors",
      "Apache-2.0",
    ]);
    expect(texts.has("Node.js") && texts.has("Expat")).toBe(true);
  });

  it("reads a package's license, holders and text; MIT is Expat", () => {
    const root = fakeModules({ a: { json: { license: "MIT" }, files: { LICENSE: MIT } } });
    const l = licenseOf("a", root);
    expect([l.expression, l.copyright, l.text?.startsWith("Permission")]).toEqual([
      "Expat",
      ["2020 Jane Doe"],
      true,
    ]);
  });

  it("ships a choice of licenses under those whose text it has", () => {
    const root = fakeModules({
      a: { json: { license: "(MIT OR WTFPL)" }, files: { LICENSE: MIT } },
      b: { json: { license: "MIT" }, files: { LICENSE: MIT } },
    });
    const { files } = checkDep5(debianCopyright(["a", "b"], { root }));
    expect(files[2]?.get("License")).toBe("Expat");
    expect(files[2]?.get("Comment")).toMatch(/offered under \(MIT OR WTFPL\)/);
  });

  it("refuses a license no text is known for, naming the package", () => {
    const root = fakeModules({ a: { json: { license: "WTFPL" } } });
    expect(() => debianCopyright(["a"], { root })).toThrow(/WTFPL license .*\(a\)/);
    const none = fakeModules({ b: { json: {} } });
    expect(() => debianCopyright(["b"], { root: none })).toThrow(/b\/package.json has no/);
  });
});
