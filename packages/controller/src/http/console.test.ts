// The console's files at `/`: index.html for client routes, hashed assets with a long cache,
// 404 for missing files, nothing under /api, and a plain message when no console is built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startController } from "../main.js";
import { testController } from "../test-helpers.js";
import { NO_CONSOLE_MESSAGE } from "./console.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-console-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
writeFileSync(join(dir, "assets", "index-AbC123.js"), "console.log(1)");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("console serving", () => {
  it("answers index.html at / and at client routes, not cached", async () => {
    const t = await testController({ settings: { consoleDir: dir } });
    for (const path of ["/", "/workloads", "/policy?x=1"]) {
      const res = await t.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.text()).toContain("<title>console</title>");
    }
  });

  it("serves hashed assets with a long cache and 404s a missing one", async () => {
    const t = await testController({ settings: { consoleDir: dir } });
    const js = await t.app.request("/assets/index-AbC123.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await js.text()).toBe("console.log(1)");
    expect((await t.app.request("/assets/gone-1.js")).status).toBe(404);
    expect((await t.app.request("/favicon.ico")).status).toBe(404);
  });

  it("leaves /api alone: unknown API paths stay JSON errors, and still need the token", async () => {
    const t = await testController({ settings: { consoleDir: dir } });
    const unknown = await t.call("GET", "/api/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("MSEG_API_NOT_FOUND");
    expect((await t.call("GET", "/api/v1/workloads", undefined, false)).status).toBe(401);
    expect((await t.app.request("/api")).headers.get("content-type")).toContain("json");
  });

  it("says how to build the console when there is none", async () => {
    const t = await testController({ settings: { consoleDir: null } });
    const res = await t.app.request("/");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(NO_CONSOLE_MESSAGE);
    expect((await t.app.request("/workloads")).status).toBe(404);
  });

  it("refuses --console DIR without a built console, naming the flag and the fix", async () => {
    const data = mkdtempSync(join(tmpdir(), "mseg-console-data-"));
    try {
      const start = startController({
        dataDir: data,
        listen: "127.0.0.1:0",
        http: true,
        log: "silent",
        consoleDir: join(dir, "assets"),
      });
      await expect(start).rejects.toMatchObject({ code: "MSEG_USAGE" });
      await expect(start).rejects.toThrow(/--console .*no index.html.*npm run build/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("serves a --console DIR over a real socket", async () => {
    const data = mkdtempSync(join(tmpdir(), "mseg-console-data-"));
    const ctl = await startController({
      dataDir: data,
      listen: "127.0.0.1:0",
      http: true,
      log: "silent",
      consoleDir: dir,
    });
    try {
      const res = await fetch(`${ctl.url}/map`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("<title>console</title>");
    } finally {
      await ctl.close();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
