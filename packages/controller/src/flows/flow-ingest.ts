// The state the flow ingest keeps between batches: the address book (who owns which address,
// and who did recently), rule attribution on the active revision, and the settings that shape
// the graph (bucket length, retention). One per controller, in the context.

import { type AddressSet, addressSetContains } from "@microseg/core";
import type { Store } from "@microseg/store";
import type { PolicyHub } from "../hub/policy-hub.js";
import { AddressBook } from "./address-book.js";
import { FlowCommits } from "./flow-commits.js";
import { RuleAttribution } from "./rule-attribution.js";

export class FlowIngest {
  readonly book = new AddressBook();
  readonly rules = new RuleAttribution();
  /** Batches of the same event-loop turn share one store transaction. */
  readonly commits: FlowCommits;
  private generation = -1;

  constructor(
    store: Store,
    /** Edge bucket length (ms): a multiple of one second, at most a day. */
    readonly bucketMs: number,
    /** Edges older than this are pruned (ms). */
    readonly retentionMs: number,
    /**
     * The controller's own addresses. Agents talk to the controller all the time; that channel
     * is microseg's, not the estate's, so flows to or from it are not part of the graph.
     */
    private readonly management: AddressSet = { v4: [], v6: [] },
  ) {
    this.commits = new FlowCommits(store.flows);
  }

  /**
   * Brings the book and attribution up to the hub's inventory (stored and policy-declared
   * workloads) and active revision; nothing to do while the hub's generation is unchanged.
   */
  /** Whether `address` is one of the controller's (memoised: the same few peers recur). */
  isManagement(address: string): boolean {
    let known = this.managementMemo.get(address);
    if (known === undefined) {
      if (this.managementMemo.size >= 10_000) this.managementMemo.clear();
      known = addressSetContains(this.management, address);
      this.managementMemo.set(address, known);
    }
    return known;
  }
  private readonly managementMemo = new Map<string, boolean>();

  refresh(hub: PolicyHub, now: number): void {
    if (hub.generation === this.generation) return;
    this.generation = hub.generation;
    const inventory = hub.workloads();
    this.book.sync(inventory, now);
    this.rules.use({
      revision: hub.activeRevision,
      policy: hub.activePolicy,
      inventory,
      inventoryVersion: this.book.version,
    });
  }
}
