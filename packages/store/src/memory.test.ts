import { storeContract } from "./contract.js";
import { createStore } from "./engine/create-store.js";
import { engineContext, memoryBackend } from "./memory/memory-store.js";
import type { AuditEntry } from "./records.js";
import { failpointSwitch, type StoreHarness } from "./testing.js";

storeContract(
  "memory",
  async (clock): Promise<StoreHarness> => {
    const fp = failpointSwitch();
    const backend = memoryBackend();
    const store = createStore(
      backend,
      engineContext({ clock: clock.now, failpoint: fp.failpoint }),
    );
    const audit = backend.state.audit;
    const entry = (seq: number) => audit.get(seq) as AuditEntry;
    const under = (fn: () => void) => backend.run(fn);
    return {
      store,
      failAt: fp.failAt,
      tamper: {
        deleteEntry: async (seq) => under(() => void audit.delete(seq)),
        editEntry: async (seq, patch) =>
          under(() => audit.set(seq, { ...entry(seq), ...patch } as AuditEntry)),
        swapEntries: async (a, b) =>
          under(() => {
            const [ea, eb] = [entry(a), entry(b)];
            audit.set(a, { ...eb, seq: a });
            audit.set(b, { ...ea, seq: b });
          }),
      },
      dispose: () => store.close(),
    };
  },
  { durable: false },
);
