// The state the flow ingest keeps between batches: the address book (who owns which address,
// and who did recently), rule attribution on the active revision, and the settings that shape
// the graph (bucket length, retention). One per controller, in the context.

import type { Workload } from "@microseg/core";
import type { ControllerContext } from "../context.js";
import { hubRevision } from "../use-cases/policy-text.js";
import { AddressBook } from "./address-book.js";
import { RuleAttribution } from "./rule-attribution.js";

export class FlowIngest {
  readonly book = new AddressBook();
  readonly rules = new RuleAttribution();
  private declared: { revision: number | null; workloads: readonly Workload[] } = {
    revision: null,
    workloads: [],
  };

  constructor(
    /** Edge bucket length (ms): a multiple of one second, at most a day. */
    readonly bucketMs: number,
    /** Edges older than this are pruned (ms). */
    readonly retentionMs: number,
  ) {}

  /**
   * Brings the book and attribution up to the hub's inventory and active revision. Reads the
   * store only when the revision changed (for the workloads the policy text itself declares).
   */
  async refresh(ctx: ControllerContext, now: number): Promise<void> {
    const revision = ctx.hub.activeRevision;
    if (revision !== this.declared.revision) {
      const active = await ctx.store.policy.active();
      const workloads =
        active !== undefined && active.number === revision ? hubRevision(active).declared : [];
      this.declared = { revision, workloads };
    }
    const stored = ctx.hub.inventoryWith([]);
    const names = new Set(stored.map((w) => w.name));
    const inventory = [...stored, ...this.declared.workloads.filter((w) => !names.has(w.name))];
    this.book.sync(inventory, now);
    this.rules.use({
      revision,
      policy: ctx.hub.activePolicy,
      inventory,
      inventoryVersion: this.book.version,
    });
  }
}
