// What a policy job compiles against, handed from the hub to a worker thread as plain data.
import type { Policy, Workload, WorkloadQuarantine } from "@microseg/core";
import { plainWorkload } from "../hub/policy-hub.js";

/** A policy and the workloads its text declares (`workloads:`), as a draft or revision keeps them. */
export interface PolicyModel {
  readonly policy: Policy;
  readonly workloads: readonly Workload[];
}

/** A draft to work on: its text (parsed in the worker) or the model stored when it was saved. */
export type DraftSource = { readonly text: string } | { readonly model: PolicyModel };

/**
 * The hub's inventory as data: the store's workloads (`hub.inventoryWith([])`, quarantines
 * applied) and every quarantine by name, so a quarantined declared workload compiles as the hub
 * would compile it.
 */
export interface InventoryInput {
  readonly stored: readonly Workload[];
  readonly quarantines: Readonly<Record<string, WorkloadQuarantine>>;
}

/** `hub.inventoryWith(declared)` without the hub: a stored workload wins over a declared one. */
export function inventoryWith(inv: InventoryInput, declared: readonly Workload[]): Workload[] {
  const byName = new Map<string, Workload>();
  for (const w of declared) {
    const q = inv.quarantines[w.name];
    byName.set(w.name, q === undefined ? plainWorkload(w) : { ...plainWorkload(w), quarantine: q });
  }
  for (const w of inv.stored) byName.set(w.name, w);
  return [...byName.values()];
}

/** An inventory plus the workloads a policy declares, the inventory winning (replay, blast). */
export function withDeclared(inventory: readonly Workload[], declared: readonly Workload[]) {
  const names = new Set(inventory.map((w) => w.name));
  return [...inventory, ...declared.filter((w) => !names.has(w.name))];
}
