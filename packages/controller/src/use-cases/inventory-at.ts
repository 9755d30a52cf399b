// The inventory as it was at a past moment, from the audit log: every workload change
// (create/update/delete) and every quarantine change is audited with its before-state, so today's
// inventory with the changes recorded after `at` undone, newest first, is the inventory of then.
// No second history is kept; the audit chain is the history.
//
//   today's workloads + quarantines (hub) ── undo audit entries with at > T ──> workloads at T
//
// The first entry after T is found by binary search over sequence numbers (entries are appended
// in time order), so the cost is the number of changes since T, not the size of the log.

import type { Workload } from "@microseg/core";
import type { AuditEntry, Quarantine } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { plainWorkload } from "../hub/policy-hub.js";

const PAGE = 1000;
const TARGET = "workload/";

export interface InventoryAt {
  /** The workloads at `at`, quarantines of then applied. */
  readonly workloads: Workload[];
  /** Workload and quarantine changes undone (0: the inventory has not changed since). */
  readonly undone: number;
}

export async function inventoryAt(ctx: ControllerContext, at: number): Promise<InventoryAt> {
  const workloads = new Map<string, Workload>();
  const quarantines = new Map<string, Quarantine>();
  for (const w of ctx.hub.workloads()) {
    const stored = ctx.hub.storedWorkload(w.name);
    if (stored === undefined) continue; // declared by the policy text: comes with the revision
    workloads.set(w.name, plainWorkload(stored));
    const q = ctx.hub.quarantineOf(w.name);
    if (q !== undefined) quarantines.set(w.name, q);
  }
  const later = await entriesAfter(ctx, at);
  let undone = 0;
  for (const e of later.reverse()) {
    if (!e.target.startsWith(TARGET)) continue;
    const name = e.target.slice(TARGET.length);
    if (e.action.startsWith("workload.")) {
      const before = e.before as Workload | null | undefined;
      if (before) workloads.set(name, plainWorkload(before));
      else workloads.delete(name);
      undone++;
    } else if (e.action.startsWith("quarantine.")) {
      const before = e.before as Quarantine | null | undefined;
      if (before) quarantines.set(name, before);
      else quarantines.delete(name);
      undone++;
    }
  }
  const out = [...workloads.values()].map((w) => {
    const q = quarantines.get(w.name);
    return q === undefined ? w : { ...w, quarantine: { forensic: q.forensic } };
  });
  return { workloads: out, undone };
}

/** Audit entries recorded after `at`, oldest first. */
async function entriesAfter(ctx: ControllerContext, at: number): Promise<AuditEntry[]> {
  // done(s): the first entry from seq s on is after `at`, or there is none. False up to some
  // seq, true from there on: grow an upper bound, then bisect for the first seq where it holds.
  const done = async (seq: number) => {
    const e = (await ctx.store.audit.list({ afterSeq: seq - 1, limit: 1 }))[0];
    return e === undefined || Date.parse(e.at) > at;
  };
  let hi = 1;
  while (!(await done(hi))) hi *= 2;
  let lo = hi === 1 ? 0 : hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await done(mid)) hi = mid;
    else lo = mid;
  }
  const out: AuditEntry[] = [];
  for (let seq = hi - 1; ; ) {
    const page = await ctx.store.audit.list({ afterSeq: seq, limit: PAGE });
    out.push(...page.filter((e) => Date.parse(e.at) > at));
    if (page.length < PAGE) break;
    seq = page[page.length - 1]?.seq ?? seq;
  }
  return out;
}
