// The change stream: every unit of work that changes what a controller holds in memory (the
// compiled policy per workload, the active revision, quarantines, the agent credential cache)
// appends one row per changed record, in the same unit, so a change and its row commit together
// or not at all. Controller replicas sharing a database follow the rows to update their own
// memory (controller/src/hub/change-follower.ts).
//
// The rows are written here, around the Tables writes the repositories already make, so no
// repository can forget one and every adapter gets them. Seq is the newest + 1, read inside the
// unit: on SQLite and memory units run one at a time, on PostgreSQL every writing unit holds the
// database-wide advisory lock, so seq order is commit order and "everything after my seq" never
// skips a row that commits later with a smaller seq.

import type { ChangeKind, ChangeRepo } from "../port.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

/** Rows kept: a follower further behind than this rebuilds its memory from the store. */
export const CHANGES_KEPT = 10_000;
/** Pruning runs in the unit whose seq is a multiple of this (one DELETE per thousand changes). */
const PRUNE_EVERY = 1_000;

/** `db` whose writing units record their changes (reads pass through untouched). */
export function recordingChanges(db: Backend, ctx: EngineContext): Backend {
  return {
    ...db,
    run: (fn, kind) =>
      kind === "read" ? db.run(fn, kind) : db.run((t) => fn(recording(t, ctx)), kind),
  };
}

function recording(t: Tables, ctx: EngineContext): Tables {
  const noted = new Set<string>();
  const note = async (kind: ChangeKind, key: string) => {
    // One row per record and unit: the follower reads the record's current state anyway.
    if (noted.has(`${kind}\n${key}`)) return;
    noted.add(`${kind}\n${key}`);
    const seq = await t.appendChange({ kind, key, at: ctx.clock().toISOString() });
    if (seq % PRUNE_EVERY === 0) await t.pruneChanges(seq - CHANGES_KEPT);
  };
  const recorded: Tables = {
    ...t,
    putWorkload: async (w) => {
      await t.putWorkload(w);
      await note("workload", w.name);
    },
    deleteWorkload: async (name) => {
      await t.deleteWorkload(name);
      await note("workload", name);
    },
    setActiveRevision: async (n) => {
      await t.setActiveRevision(n);
      await note("revision", String(n));
    },
    putQuarantine: async (q) => {
      await t.putQuarantine(q);
      await note("quarantine", q.workload);
    },
    deleteQuarantine: async (workload) => {
      // Deleting a workload ends its quarantine, if it had one.
      const had = (await t.quarantine(workload)) !== undefined;
      await t.deleteQuarantine(workload);
      if (had) await note("quarantine", workload);
    },
    putAgent: async (a) => {
      // Only a revoke matters to other replicas (their credential cache); reports do not.
      const revoked = a.revoked && (await t.agent(a.id))?.revoked === false;
      await t.putAgent(a);
      if (revoked) await note("agent", a.id);
    },
    putAgents: async (list) => {
      if (list.some((a) => a.revoked)) {
        for (const a of list) await recorded.putAgent(a);
        return;
      }
      await t.putAgents(list);
    },
  };
  return recorded;
}

export function changeRepo(db: Backend): ChangeRepo {
  return {
    head: () => db.run(async (t) => t.lastChangeSeq(), "read"),
    oldest: () => db.run(async (t) => t.firstChangeSeq(), "read"),
    after: (seq, limit) => db.run(async (t) => t.changesAfter(seq, limit), "read"),
  };
}
