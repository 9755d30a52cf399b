// The installer and the agent packages a new host fetches: public, only files of the packages
// directory, the script a POSIX sh accepts, and the one-liner in a created profile's answer.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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

describe("the installer with several controller URLs", () => {
  // Up to the package check, on this machine: the root, architecture and systemd checks are
  // passed by stand-ins on PATH; the downloads are real curl against a real socket.
  async function runInstaller(controller: string) {
    const { t, dir } = await withPackages();
    const script = await (await t.app.request("/install.sh")).text();
    const bin = await mkdtemp(join(tmpdir(), "installer-bin-"));
    const standIns = { id: "0", uname: "x86_64", systemctl: "" };
    for (const [name, out] of Object.entries(standIns)) {
      await writeFile(join(bin, name), `#!/bin/sh\necho ${out}\n`, { mode: 0o755 });
    }
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? "");
      const file = (req.url ?? "").replace(/^\/packages\//, "");
      readFile(join(dir, file)).then(
        (body) => res.end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const args = [
      "-s",
      "--",
      "--enrol-key",
      "k",
      "--controller",
      controller.replace("PORT", String(port)),
    ];
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const run = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn("sh", args, { env });
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("close", (code) => resolve({ code, err }));
      child.stdin.end(script);
    });
    server.close();
    return { ...run, asked };
  }

  it("downloads from the next URL when one does not answer", async () => {
    const r = await runInstaller("http://127.0.0.1:1,http://127.0.0.1:PORT");
    expect(r.err).toContain("http://127.0.0.1:1 did not answer; trying the next controller URL");
    expect(r.asked[0]).toBe("/packages/SHA256SUMS");
    expect(r.asked[1]).toMatch(/^\/packages\/microseg-agent_.*(\.deb|\.tar\.gz)$/);
    // The stand-in package's checksum is not in the stand-in SHA256SUMS: it stops there.
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringContaining("does not match the controller's SHA256SUMS"),
    ]);
  });

  it("refuses a list that mixes https:// and http://", async () => {
    const r = await runInstaller("https://127.0.0.1:1,http://127.0.0.1:PORT");
    expect([r.code, r.err]).toEqual([1, expect.stringContaining("mixes https:// and http://")]);
    expect(r.asked).toEqual([]);
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
