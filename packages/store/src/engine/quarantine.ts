// Quarantine: a workload cut off from everything but management (and its forensic addresses).
// Setting and releasing are audited; the policy compiler reads the list.

import type { Quarantine, QuarantineRepo } from "../flow-records.js";
import type { Json } from "../records.js";
import { record } from "./audit.js";
import type { Backend, EngineContext } from "./tables.js";

const target = (workload: string) => `workload/${workload}`;
const snapshot = (q: Quarantine | undefined): Json =>
  q === undefined ? null : { ...q, forensic: [...q.forensic] };
const same = (a: Quarantine, b: Quarantine) => JSON.stringify(a) === JSON.stringify(b);

export function quarantineRepo(db: Backend, ctx: EngineContext): QuarantineRepo {
  return {
    async list() {
      return db.run(async (t) => t.quarantines(), "read");
    },
    async get(workload) {
      return db.run(async (t) => t.quarantine(workload), "read");
    },
    async set(q, actor) {
      return db.run(async (t) => {
        if ((await t.workload(q.workload)) === undefined)
          return { ok: false, reason: "not-found" } as const;
        const quarantine: Quarantine = {
          workload: q.workload,
          since: q.since,
          reason: q.reason,
          forensic: [...q.forensic],
          actor: q.actor,
        };
        const before = await t.quarantine(q.workload);
        if (before !== undefined && same(before, quarantine)) {
          return { ok: true, quarantine: before } as const;
        }
        await t.putQuarantine(quarantine);
        await record(t, ctx, {
          actor,
          action: "quarantine.set",
          target: target(q.workload),
          before: snapshot(before),
          after: snapshot(quarantine),
        });
        return { ok: true, quarantine } as const;
      });
    },
    async release(workload, actor) {
      return db.run(async (t) => {
        const before = await t.quarantine(workload);
        if (before === undefined) return undefined;
        await t.deleteQuarantine(workload);
        await record(t, ctx, {
          actor,
          action: "quarantine.release",
          target: target(workload),
          before: snapshot(before),
        });
        return before;
      });
    },
  };
}
