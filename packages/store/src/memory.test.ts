import { describe, expect, it } from "vitest";
import { storeContract } from "./contract.js";
import { CHANGES_KEPT } from "./engine/changes.js";
import { createStore } from "./engine/create-store.js";
import { engineContext, memoryBackend, openMemoryStore } from "./memory/memory-store.js";
import type { AuditEntry } from "./records.js";
import { failpointSwitch, type StoreHarness, TEST_AUDIT_KEY } from "./testing.js";

storeContract(
  "memory",
  async (clock): Promise<StoreHarness> => {
    const fp = failpointSwitch();
    const backend = memoryBackend();
    const open = (auditKey: Uint8Array | undefined) =>
      createStore(
        backend,
        engineContext({
          clock: clock.now,
          failpoint: fp.failpoint,
          ...(auditKey !== undefined && { auditKey }),
        }),
      );
    const store = open(TEST_AUDIT_KEY);
    const audit = backend.state.audit;
    return {
      store,
      failAt: fp.failAt,
      withKey: open,
      tamper: {
        rows: async () => audit.values().sort((a, b) => a.seq - b.seq),
        replaceRows: async (rows) =>
          backend.run(async () => {
            for (const e of audit.values()) audit.delete(e.seq);
            for (const e of rows) audit.set(e.seq, e as AuditEntry);
            backend.reindexAudit();
          }),
      },
      dispose: () => store.close(),
    };
  },
  { durable: false },
);

describe("change stream pruning (memory adapter)", () => {
  it("keeps the last CHANGES_KEPT rows, pruning every thousandth unit", async () => {
    const store = openMemoryStore();
    const w = { name: "web-1", addresses: ["198.18.0.1"], mode: "enforce", managed: true } as const;
    const n = CHANGES_KEPT + 1_000;
    for (let i = 0; i < n; i++)
      await store.workloads.upsert({ ...w, labels: { i: String(i) } }, "a");
    expect(await store.changes.head()).toBe(n);
    expect(await store.changes.oldest()).toBe(n - CHANGES_KEPT + 1);
    expect((await store.changes.after(0, 1))[0]?.seq).toBe(n - CHANGES_KEPT + 1);
  });

  it("never prunes the newest row, so seqs keep counting", async () => {
    const backend = memoryBackend();
    const store = createStore(backend, engineContext({}));
    const w = { name: "web-1", addresses: ["198.18.0.1"], mode: "enforce", managed: true } as const;
    await store.workloads.upsert({ ...w, labels: {} }, "a");
    await store.workloads.upsert({ ...w, labels: { a: "b" } }, "a");
    await backend.run(async (t) => t.pruneChanges(100));
    expect(await store.changes.oldest()).toBe(2);
    await store.workloads.delete("web-1", "a");
    expect((await store.changes.after(0, 10)).map((c) => c.seq)).toEqual([2, 3]);
  });
});
