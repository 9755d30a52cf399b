// The installer and the agent packages a new host fetches: public, only files of the packages
// directory, the script a POSIX sh accepts, and the one-liner in a created profile's answer.
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "@microseg/core/version";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

async function withPackages() {
  const dir = await mkdtemp(join(tmpdir(), "packages-"));
  await writeFile(join(dir, `microseg-agent_${VERSION}_amd64.deb`), "deb bytes");
  await writeFile(join(dir, "SHA256SUMS"), "abc  microseg-agent.deb\n");
  return { dir, t: await testController({ settings: { packagesDir: dir } }) };
}

describe("GET /install.sh", () => {
  it("serves the installer of this release without a token, and sh parses it", async () => {
    const { t } = await withPackages();
    const res = await t.app.request("/install.sh");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/shellscript/);
    const script = await res.text();
    expect(script).toContain(`VERSION='${VERSION}'`);
    const parsed = spawnSync("sh", ["-n"], { input: script });
    expect(parsed.status, String(parsed.stderr)).toBe(0);
    const usage = spawnSync("sh", ["-s", "--", "--enrol-key", "k"], { input: script });
    expect(usage.status).toBe(1);
    expect(String(usage.stderr)).toContain("--controller URL is required");
  });
});

describe("GET /packages/NAME", () => {
  it("serves files of the packages directory, nothing else", async () => {
    const { t } = await withPackages();
    const deb = await t.app.request(`/packages/microseg-agent_${VERSION}_amd64.deb`);
    expect([deb.status, await deb.text()]).toEqual([200, "deb bytes"]);
    expect(deb.headers.get("content-type")).toBe("application/vnd.debian.binary-package");
    for (const name of ["nope.deb", "..%2Fpackage.json", ".hidden"]) {
      const res = await t.app.request(`/packages/${name}`);
      expect(res.status, name).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /no package .* there are: SHA256SUMS/,
      );
    }
  });

  it("says how to serve packages when the controller has none", async () => {
    const t = await testController();
    const res = await t.app.request("/packages/SHA256SUMS");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "--packages DIR",
    );
  });
});

describe("a created enrolment profile", () => {
  it("carries the one-line install for the controller as the request reached it", async () => {
    const t = await testController({ settings: { caFingerprint: "ab".repeat(32) } });
    const res = await t.call("POST", "/api/v1/enrol-profiles", { name: "web" });
    expect(res.status).toBe(201);
    expect(res.body.install).toContain("'http://localhost/install.sh' | sh -s -- ");
    expect(res.body.install).toContain(
      `--enrol-key ${res.body.key} --ca-fingerprint ${"ab".repeat(32)}`,
    );
  });
});
