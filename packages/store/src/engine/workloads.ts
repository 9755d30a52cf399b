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
      return db.run(async (t) => t.workloads(), "read");
    },
    async get(name) {
      return db.run(async (t) => t.workload(name), "read");
    },
    async upsert(input, actor) {
      const workload = { ...input, addresses: canonicalAddresses(input.addresses) };
      return db.run(async (t) => {
        const before = await t.workload(workload.name);
        if (before !== undefined && sameWorkload(before, workload)) {
          return { ok: true as const, record: before, change: "unchanged" as const };
        }
        const taken = await addressTaken(
          t,
          workload.name,
          workload.addresses,
          [],
          before?.addresses,
        );
        if (taken !== undefined) return taken;
        const now = ctx.clock().toISOString();
        const rec = workloadRecord(workload, before?.createdAt ?? now, now);
        await t.putWorkload(rec);
        const action = before === undefined ? "workload.create" : "workload.update";
        await record(t, ctx, {
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
      return db.run(async (t) => {
        const before = await t.workload(name);
        if (before === undefined) return { ok: false, reason: "not-found" } as const;
        const agents = await t.agentsOf(name);
        if (agents.some((a) => !a.revoked)) return { ok: false, reason: "in-use" } as const;
        // Revoked agents can never authenticate again; they go with their workload.
        for (const a of agents) await t.deleteAgent(a.id);
        // A quarantine is about this workload; a later workload of the same name starts free.
        await t.deleteQuarantine(name);
        await t.deleteWorkload(name);
        await record(t, ctx, {
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
export async function addressTaken(
  t: Tables,
  name: string,
  addresses: readonly string[],
  declared: readonly Workload[] = [],
  held: readonly string[] = [],
): Promise<AddressTaken | undefined> {
  for (const address of addresses) {
    if (held.includes(address)) continue;
    const holder =
      (await t.workloadsAt(address)).find((n) => n !== name) ??
      (await declaredHolder(t, name, address, declared));
    if (holder !== undefined) return { ok: false, reason: "address-taken", address, holder };
  }
  return undefined;
}

/** The declared workload other than `name` claiming `address`, unless one of its name is stored. */
async function declaredHolder(
  t: Tables,
  name: string,
  address: string,
  declared: readonly Workload[],
): Promise<string | undefined> {
  for (const d of declared) {
    if (d.name === name || !d.addresses.some((a) => canonicalAddress(a) === address)) continue;
    if ((await t.workload(d.name)) === undefined) return d.name; // a stored one shadows it
  }
  return undefined;
}
