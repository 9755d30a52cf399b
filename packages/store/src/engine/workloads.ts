// Workloads: upsert (an address belongs to one workload), delete (not while a live agent owns it).
import { canonicalAddress, type Workload } from "@microseg/core";
import type { AddressTaken, WorkloadRepo } from "../port.js";
import type { WorkloadRecord } from "../records.js";
import { toJson } from "../shared/canonical-json.js";
import { sameWorkload, workloadRecord } from "../shared/workload-record.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

const target = (name: string) => `workload/${name}`;
const snapshot = (w: WorkloadRecord | undefined) => toJson(w ?? null);

export function workloadRepo(db: Backend, ctx: EngineContext): WorkloadRepo {
  return {
    async list() {
      return db.run((t) => t.workloads());
    },
    async get(name) {
      return db.run((t) => t.workload(name));
    },
    async upsert(input, actor) {
      const workload = { ...input, addresses: canonicalAddresses(input.addresses) };
      return db.run((t) => {
        const before = t.workload(workload.name);
        if (before !== undefined && sameWorkload(before, workload)) {
          return { ok: true as const, record: before, change: "unchanged" as const };
        }
        const taken = addressTaken(t, workload.name, workload.addresses, [], before?.addresses);
        if (taken !== undefined) return taken;
        const now = ctx.clock().toISOString();
        const rec = workloadRecord(workload, before?.createdAt ?? now, now);
        t.putWorkload(rec);
        const action = before === undefined ? "workload.create" : "workload.update";
        record(t, ctx, {
          actor,
          action,
          target: target(rec.name),
          before: snapshot(before),
          after: snapshot(rec),
        });
        return {
          ok: true as const,
          record: rec,
          change: before === undefined ? ("created" as const) : ("updated" as const),
        };
      });
    },
    async delete(name, actor) {
      return db.run((t) => {
        const before = t.workload(name);
        if (before === undefined) return { ok: false, reason: "not-found" } as const;
        const agents = t.agentsOf(name);
        if (agents.some((a) => !a.revoked)) return { ok: false, reason: "in-use" } as const;
        // Revoked agents can never authenticate again; they go with their workload.
        for (const a of agents) t.deleteAgent(a.id);
        // A quarantine is about this workload; a later workload of the same name starts free.
        t.deleteQuarantine(name);
        t.deleteWorkload(name);
        record(t, ctx, {
          actor,
          action: "workload.delete",
          target: target(name),
          before: snapshot(before),
        });
        return { ok: true, before } as const;
      });
    },
  };
}

/** Addresses as the store keeps them: each in its one canonical text (Tables.putWorkload). */
export function canonicalAddresses(addresses: readonly string[]): string[] {
  return addresses.map(canonicalAddress);
}

/**
 * The first of `addresses` (canonical) that a workload other than `name` holds: a stored one, or
 * one of `declared` (the active policy's). Addresses in `held` (what `name` holds already) are
 * not claims: a workload keeps what it has. An address belongs to one workload, so its flows,
 * its peers' sets and a quarantine of it mean one host.
 */
export function addressTaken(
  t: Tables,
  name: string,
  addresses: readonly string[],
  declared: readonly Workload[] = [],
  held: readonly string[] = [],
): AddressTaken | undefined {
  for (const address of addresses) {
    if (held.includes(address)) continue;
    const holder =
      t.workloadsAt(address).find((n) => n !== name) ??
      declared.find(
        (d) =>
          d.name !== name &&
          t.workload(d.name) === undefined && // a stored workload of the name shadows it
          d.addresses.some((a) => canonicalAddress(a) === address),
      )?.name;
    if (holder !== undefined) return { ok: false, reason: "address-taken", address, holder };
  }
  return undefined;
}
