// Files -> one draft text and back: lines and `documents[i]` paths land in the right file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFiles, locate } from "./policy-bundle.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("policy bundle", () => {
  const a = file("a.yaml", "services:\n  - { name: a, ports: [tcp/1] }"); // no final newline
  const b = file("b.yaml", "---\nrules: []\n---\n# two\nrules: []\n");
  const c = file("c.yaml", "# only a comment first\nrules: []\n");

  it("joins documents with one `---` and keeps every line", async () => {
    const bundle = await bundleFiles([a, b, c]);
    expect(bundle.text).toBe(
      "services:\n  - { name: a, ports: [tcp/1] }\n---\nrules: []\n---\n# two\nrules: []\n---\n# only a comment first\nrules: []\n",
    );
    expect(bundle.parts.map((p) => [p.start, p.firstDoc, p.docs])).toEqual([
      [1, 0, 1],
      [3, 1, 2],
      [9, 3, 1],
    ]);
  });

  it("maps bundle lines and document indexes back to each file", async () => {
    const bundle = await bundleFiles([a, b, c]);
    expect(locate(bundle, { line: 2, path: "documents[0].services[0]" })).toEqual({
      file: a,
      line: 2,
      path: "services[0]",
    });
    expect(locate(bundle, { line: 7, path: "documents[2].rules" })).toEqual({
      file: b,
      line: 5,
      path: "documents[1].rules",
    });
    expect(locate(bundle, { line: 10, path: "documents[3].rules" })).toEqual({
      file: c,
      line: 2,
      path: "rules",
    });
    expect(locate(bundle, { path: "documents[3]" })).toEqual({ file: c, path: "" });
  });
});
