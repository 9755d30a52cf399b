// GET /api/v1/audit pages (a default and a maximum page, a `next` link to follow) and
// /api/v1/audit/verify checks anchors: one in the query, or many in a POST body.
import { openMemoryStore } from "@microseg/store/memory";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

async function filled(n: number) {
  const store = openMemoryStore({ auditKey: new Uint8Array(32).fill(1) });
  const t = await testController({ store });
  for (let i = 0; i < n; i++) {
    await store.audit.append({ actor: "bulk", action: "test.fill", target: `x/${i % 2}` });
  }
  return t;
}

describe("GET /api/v1/audit", () => {
  it("answers a default page of 100, at most 1,000, and a next link until the end", async () => {
    const t = await filled(2_500);
    const total = 2_500 + 1; // and the admin token's token.create
    const first = await t.call("GET", "/api/v1/audit");
    expect(first.body.entries).toHaveLength(100);
    expect(first.body.next).toBe("/api/v1/audit?afterSeq=100&limit=100");
    const big = await t.call("GET", "/api/v1/audit?limit=5000");
    expect(big.status).toBe(200);
    expect(big.body.entries).toHaveLength(1_000);
    expect(big.body.next).toBe("/api/v1/audit?afterSeq=1000&limit=1000");
    let path: string | null = "/api/v1/audit?limit=1000";
    const seqs: number[] = [];
    while (path !== null) {
      const page: { body: { entries: { seq: number }[]; next: string | null } } = await t.call(
        "GET",
        path,
      );
      seqs.push(...page.body.entries.map((e) => e.seq));
      path = page.body.next;
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it("keeps the target filter in the next link", async () => {
    const t = await filled(10);
    const page = await t.call("GET", "/api/v1/audit?target=x/1&limit=2");
    expect(page.body.entries.map((e: { target: string }) => e.target)).toEqual(["x/1", "x/1"]);
    const next = page.body.next as string;
    expect(next).toMatch(/^\/api\/v1\/audit\?afterSeq=\d+&limit=2&target=x%2F1$/);
    const rest = await t.call("GET", next);
    expect(rest.body.entries).toHaveLength(2);
    const last = await t.call("GET", rest.body.next);
    expect([last.body.entries.length, last.body.next]).toEqual([1, null]);
  });
});

describe("/api/v1/audit/verify with anchors", () => {
  it("checks one anchor in the query and many in a POST body", async () => {
    const t = await filled(20);
    const entries = (await t.call("GET", "/api/v1/audit")).body.entries as {
      seq: number;
      hash: string;
    }[];
    const at = (s: number) => ({ seq: s, hash: entries[s - 1]?.hash ?? "" });
    const q = await t.call("GET", `/api/v1/audit/verify?seq=5&hash=${at(5).hash}`);
    expect(q.body).toMatchObject({ ok: true, count: 21 });
    const many = await t.call("POST", "/api/v1/audit/verify", { anchors: [at(3), at(20)] });
    expect(many.body).toMatchObject({ ok: true, count: 21 });
    const future = await t.call("POST", "/api/v1/audit/verify", {
      anchors: [at(3), { seq: 40, hash: "a".repeat(64), at: "2026-01-01T00:00:00.000Z" }],
    });
    expect(future.body).toMatchObject({ ok: false, seq: 22, problem: "truncated" });
    const bad = await t.call("POST", "/api/v1/audit/verify", { anchors: [{ seq: 0, hash: "x" }] });
    expect(bad.status).toBe(400);
  });
});
