// One release, one version: every package.json of the workspace (and its @microseg/* pins, and
// the lock file's copy of them), the controller's OpenAPI document and API, `microseg --version`
// and `microseg-agent --version` all say core's VERSION. Bumping the release is: change
// packages/core/src/version.ts, then make this test pass.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "@microseg/cli";
import { buildController, openApiDocument } from "@microseg/controller";
import { VERSION } from "@microseg/core/version";
import { openMemoryStore } from "@microseg/store/memory";
import { afterEach, describe, expect, it, vi } from "vitest";

const root = join(import.meta.dirname, "..");

interface Manifest {
  readonly name: string;
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const read = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8")) as Manifest;

function manifests(): Array<[string, Manifest]> {
  const packages = readdirSync(join(root, "packages")).map((p) => `packages/${p}/package.json`);
  return ["package.json", ...packages].map((path) => [path, read(path)]);
}

/** Every place a manifest names a version of the workspace: its own and its @microseg/* pins. */
function versionsIn(path: string, m: Manifest): Array<[string, string | undefined]> {
  const pins = Object.entries({ ...m.dependencies, ...m.devDependencies })
    .filter(([dep]) => dep.startsWith("@microseg/"))
    .map(([dep, v]): [string, string] => [`${path} ${dep}`, v]);
  return [[`${path} version`, m.version], ...pins];
}

afterEach(() => vi.restoreAllMocks());

describe("one version", () => {
  it("is a release number", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("in every package.json of the workspace and its @microseg/* pins", () => {
    const all = manifests().flatMap(([path, m]) => versionsIn(path, m));
    expect(all.length).toBeGreaterThan(13);
    expect(all.filter(([, v]) => v !== VERSION)).toEqual([]);
  });

  it("in package-lock.json (npm install after a bump)", () => {
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      version: string;
      packages: Record<string, Manifest>;
    };
    const entries = Object.entries(lock.packages).filter(
      ([path]) => path === "" || path.startsWith("packages/"),
    );
    const all = [
      ["package-lock.json version", lock.version] as [string, string],
      ...entries.flatMap(([path, m]) => versionsIn(`package-lock.json ${path}`, m)),
    ];
    expect(all.filter(([, v]) => v !== VERSION)).toEqual([]);
  });

  it("in the controller's OpenAPI document and GET /api/version", async () => {
    expect((openApiDocument().info as { version: string }).version).toBe(VERSION);
    const built = await buildController({ store: openMemoryStore(), log: "silent", settings: {} });
    try {
      const res = await built.app.request("/api/version");
      expect([res.status, await res.json()]).toEqual([200, { version: VERSION, api: "v1" }]);
    } finally {
      await built.detection.close();
      await built.ctx.policyWorkers.close();
    }
  });

  it("printed by `microseg --version`", async () => {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((c) => {
      out += String(c);
      return true;
    });
    expect(await main(["--version"])).toBe(0);
    expect(out.trim()).toBe(VERSION);
  });

  it("printed by `microseg-agent --version` (its real entry, from sources)", () => {
    const entry = join(root, "packages/agent/src/bin/entry.ts");
    const run = spawnSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", entry, "--version"],
      { cwd: root, encoding: "utf8", timeout: 20_000 },
    );
    expect([run.status, run.stdout.trim(), run.stderr]).toEqual([0, VERSION, ""]);
  });
});
