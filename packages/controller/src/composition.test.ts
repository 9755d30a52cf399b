// main.ts is the only file of the controller that opens a concrete store.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

it("opens the SQLite store only in main.ts", () => {
  const openers = files(import.meta.dirname)
    .filter((f) => !f.endsWith(".test.ts"))
    .filter((f) => /openSqliteStore\(/.test(readFileSync(f, "utf8")))
    .map((f) => relative(import.meta.dirname, f));
  expect(openers).toEqual(["main.ts"]);
});
