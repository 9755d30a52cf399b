import { storeContract } from "./contract.js";
import { createStore } from "./engine/create-store.js";
import { engineContext, memoryBackend } from "./memory/memory-store.js";
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
