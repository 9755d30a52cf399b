// The same use cases over the embedded SQLite store on disk: state survives a reopen, and the
// hub is rebuilt from it (active revision, inventory, agents' credentials).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@microseg/store/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mseg-ctl-"));
  dirs.push(d);
  return d;
}

describe("controller over SQLite", () => {
  it("keeps revisions, workloads, agents and the audit chain across a reopen", async () => {
    const dir = tempDir();
    const t1 = await testController({ store: openSqliteStore({ dir }) });
    const web = await t1.enrol("web-1", "198.18.1.10", { role: "web" });
    await t1.call("PUT", "/api/v1/workloads/db-1", {
      labels: { role: "db" },
      addresses: ["198.18.1.20"],
    });
    await t1.call("PUT", "/api/v1/policy/draft", POLICY);
    expect((await t1.call("POST", "/api/v1/policy/provision", { comment: "one" })).status).toBe(
      201,
    );
    const before = await t1.call("GET", `/api/v1/agent/policy?wait=0`, undefined, web.credential);
    await t1.store.close();

    const store = openSqliteStore({ dir });
    const t2 = await testController({ store });
    // The admin token was made by the first run and is not made again.
    expect(t2.token).toBe("");
    expect(t2.ctx.hub.activeRevision).toBe(1);
    const after = await t2.call("GET", "/api/v1/agent/policy?wait=0", undefined, web.credential);
    expect(after.status).toBe(200);
    expect(after.body.ruleSet).toEqual(before.body.ruleSet);
    const verdict = await store.audit.verify();
    expect(verdict.ok).toBe(true);
    await store.close();
  });

  it("rejects an invalid draft without touching the stored one", async () => {
    const dir = tempDir();
    const store = openSqliteStore({ dir });
    const t = await testController({ store });
    await t.call("PUT", "/api/v1/policy/draft", POLICY);
    const bad = await t.call("PUT", "/api/v1/policy/draft", "rules: [ {");
    expect([bad.status, bad.body.error.details.diagnostics[0].code]).toEqual([
      422,
      "MSEG_YAML_SYNTAX",
    ]);
    expect((await store.policy.getDraft())?.text).toBe(POLICY);
    await store.close();
  });
});
