// GET /api/v1/workloads: the original answer without a query, pages with limit/offset, and the
// q / label filters, with `total` counting every match.
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

async function estate() {
  const t = await testController();
  const hosts = [
    ["web-1", { app: "shop", role: "web" }, "198.18.1.1"],
    ["web-2", { app: "shop", role: "web" }, "198.18.1.2"],
    ["db-1", { app: "shop", role: "db" }, "198.18.1.3"],
    ["crm-1", { app: "crm", role: "web" }, "198.18.2.1"],
    ["lone", {}, "198.18.3.1"],
  ] as const;
  for (const [name, labels, address] of hosts) {
    const r = await t.call("PUT", `/api/v1/workloads/${name}`, { labels, addresses: [address] });
    expect(r.status).toBe(201);
  }
  return t;
}

const names = (body: { workloads: { name: string }[] }) => body.workloads.map((w) => w.name);

describe("workload list paging and filters", () => {
  it("answers every workload without a query, with the total", async () => {
    const t = await estate();
    const all = await t.call("GET", "/api/v1/workloads");
    expect(all.status).toBe(200);
    expect(names(all.body).sort()).toEqual(["crm-1", "db-1", "lone", "web-1", "web-2"]);
    expect(all.body.total).toBe(5);
  });

  it("pages with limit and offset in a stable order", async () => {
    const t = await estate();
    const all = names((await t.call("GET", "/api/v1/workloads")).body);
    const first = await t.call("GET", "/api/v1/workloads?limit=2&offset=0");
    const second = await t.call("GET", "/api/v1/workloads?limit=2&offset=2");
    const last = await t.call("GET", "/api/v1/workloads?limit=2&offset=4");
    expect([...names(first.body), ...names(second.body), ...names(last.body)]).toEqual(all);
    expect(names(last.body)).toHaveLength(1);
    expect(second.body.total).toBe(5);
  });

  it("filters by label (all must hold, a bare key means has it) and by text", async () => {
    const t = await estate();
    const shopWeb = await t.call("GET", "/api/v1/workloads?label=app%3Dshop%2Crole%3Dweb");
    expect(names(shopWeb.body).sort()).toEqual(["web-1", "web-2"]);
    expect(shopWeb.body.total).toBe(2);
    const hasRole = await t.call("GET", "/api/v1/workloads?label=role");
    expect(hasRole.body.total).toBe(4);
    expect(names((await t.call("GET", "/api/v1/workloads?q=CRM")).body)).toEqual(["crm-1"]);
    expect(names((await t.call("GET", "/api/v1/workloads?q=198.18.3")).body)).toEqual(["lone"]);
    expect((await t.call("GET", "/api/v1/workloads?q=role%3Ddb")).body.total).toBe(1);
  });

  it("a label named like an Object member (constructor, __proto__) matches only real labels", async () => {
    const t = await estate();
    for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const r = await t.call("GET", `/api/v1/workloads?label=${key}`);
      expect([key, r.body.total]).toEqual([key, 0]);
    }
  });

  it("refuses a bad page size with the field named", async () => {
    const t = await estate();
    const r = await t.call("GET", "/api/v1/workloads?limit=0");
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("limit");
  });
});
