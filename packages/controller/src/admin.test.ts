import { describe, expect, it } from "vitest";
import { ROUTES } from "./http/openapi.js";
import { testController } from "./test-helpers.js";

describe("admin API: authentication and errors", () => {
  it("needs a token on every /api/v1 route except the agent channel", async () => {
    const t = await testController();
    for (const path of ["/api/v1/status", "/api/v1/workloads", "/api/v1/audit"]) {
      const none = await t.call("GET", path, undefined, false);
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe("MSEG_API_UNAUTHENTICATED");
      expect((await t.call("GET", path, undefined, "mst_wrong")).status).toBe(401);
      expect((await t.call("GET", path)).status).toBe(200);
    }
    const version = await t.call("GET", "/api/version", undefined, false);
    expect([version.status, version.body.api]).toEqual([200, "v1"]);
  });

  it("answers unknown routes and bad bodies with the error body", async () => {
    const t = await testController();
    const r = await t.call("GET", "/api/v1/nope");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: { code: "MSEG_API_NOT_FOUND", message: "no route GET /api/v1/nope" },
    });
    const bad = await t.call("PUT", "/api/v1/workloads/web-1", { mode: "block" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("MSEG_API_BAD_REQUEST");
    expect(bad.body.error.details.issues[0].path).toBe("mode");
    const huge = await t.call("PUT", "/api/v1/policy/draft", `# ${"x".repeat(9 * 1024 * 1024)}`);
    expect([huge.status, huge.body.error.code]).toEqual([413, "MSEG_API_BODY_TOO_LARGE"]);
    const notJson = await t.app.request("/api/v1/policy/provision", {
      method: "POST",
      headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
  });

  it("serves an OpenAPI document whose every route exists", async () => {
    const t = await testController();
    const doc = await t.call("GET", "/api/openapi.json", undefined, false);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toContain("/api/v1/workloads/{name}");
    for (const r of ROUTES) {
      const path = r.path.replace(/:([a-zA-Z]+)/g, "1");
      const res = await t.call(r.method.toUpperCase(), path);
      expect([r.method, path, res.body?.error?.message ?? ""]).not.toEqual([
        r.method,
        path,
        `no route ${r.method.toUpperCase()} ${path}`,
      ]);
    }
  });
});

describe("admin API: workloads", () => {
  it("creates, reads, patches labels and mode, deletes — each audited", async () => {
    const t = await testController();
    const put = await t.call("PUT", "/api/v1/workloads/db-1", {
      labels: { app: "shop", role: "db" },
      addresses: ["198.18.1.20"],
    });
    expect(put.status).toBe(201);
    expect(put.body.workload).toMatchObject({ name: "db-1", mode: "enforce", managed: true });
    expect((await t.call("PUT", "/api/v1/workloads/db-1", put.body.workload)).body.change).toBe(
      "unchanged",
    );
    const patched = await t.call("PATCH", "/api/v1/workloads/db-1", {
      labels: { role: null, tier: "data" },
      mode: "test",
    });
    expect(patched.body.workload.labels).toEqual({ app: "shop", tier: "data" });
    expect(patched.body.workload.mode).toBe("test");
    expect((await t.call("GET", "/api/v1/workloads")).body.workloads).toHaveLength(1);
    expect((await t.call("DELETE", "/api/v1/workloads/db-1")).status).toBe(204);
    expect((await t.call("GET", "/api/v1/workloads/db-1")).status).toBe(404);
    const audit = await t.call("GET", "/api/v1/audit?target=workload/db-1");
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual([
      "workload.create",
      "workload.update",
      "workload.delete",
    ]);
    expect(audit.body.entries[0].actor).toBe("token/admin");
    expect((await t.call("GET", "/api/v1/audit/verify")).body.ok).toBe(true);
  });

  it("refuses bad addresses and deleting a workload with a live agent", async () => {
    const t = await testController();
    const bad = await t.call("PUT", "/api/v1/workloads/x", { addresses: ["300.1.1.1"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/300.1.1.1/);
    const agent = await t.enrol("web-1", "198.18.1.10");
    const del = await t.call("DELETE", "/api/v1/workloads/web-1");
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe("MSEG_API_CONFLICT");
    await t.call("POST", `/api/v1/agents/${agent.id}/revoke`);
    expect((await t.call("DELETE", "/api/v1/workloads/web-1")).status).toBe(204);
  });
});
