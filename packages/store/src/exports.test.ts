// The subpath exports keep database drivers out of code that does not open that database: the
// port and the memory adapter load neither better-sqlite3 nor pg (a tool, a test or the console
// server importing them needs no native module), the SQLite adapter loads only its own driver.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** The driver modules Node's CommonJS loader holds after importing `specifier` in a fresh process. */
function driversLoadedBy(specifier: string): string[] {
  const script = `
    import { createRequire } from "node:module";
    await import(${JSON.stringify(specifier)});
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const drivers = ["better-sqlite3", "pg"].filter((d) =>
      cache.some((k) => k.includes(\`/node_modules/\${d}/\`)),
    );
    console.log(JSON.stringify(drivers));`;
  const out = execFileSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", script],
    { cwd: import.meta.dirname, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop() ?? "[]") as string[];
}

describe("subpath exports", () => {
  it("the port and the memory adapter load no database driver", () => {
    expect(driversLoadedBy("@microseg/store")).toEqual([]);
    expect(driversLoadedBy("@microseg/store/memory")).toEqual([]);
  });

  it("each native adapter loads its own driver only", () => {
    expect(driversLoadedBy("@microseg/store/sqlite")).toEqual(["better-sqlite3"]);
    expect(driversLoadedBy("@microseg/store/postgres")).toEqual(["pg"]);
  });
});
