// The state the flow ingest keeps between batches: the address book (who owns which address,
// and who did recently), rule attribution on the active revision, and the settings that shape
// the graph (bucket length, retention). One per controller, in the context.

import { type AddressSet, addressSetContains } from "@microseg/core";
import type { Store } from "@microseg/store";
import type { PolicyHub } from "../hub/policy-hub.js";
import { AddressBook } from "./address-book.js";
import { FlowCommits } from "./flow-commits.js";
import { RuleAttribution } from "./rule-attribution.js";

/** Multicast, broadcast and link-local: a link's control traffic, never a workload's flow. */
const LINK_LOCAL: AddressSet = {
  v4: ["224.0.0.0/4", "255.255.255.255/32", "169.254.0.0/16"],
  v6: ["ff00::/8", "fe80::/10"],
};

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
   * Whether a peer address stays out of the graph (memoised: the same few peers recur): the
   * controller's own addresses, and the link's own control traffic — multicast, broadcast and
   * link-local addresses (IPv6 neighbour discovery, MLD, DHCP…) — which is no east-west flow.
   */
  isIgnoredPeer(address: string): boolean {
    let known = this.ignoredMemo.get(address);
    if (known === undefined) {
      if (this.ignoredMemo.size >= 10_000) this.ignoredMemo.clear();
      known =
        addressSetContains(this.management, address) || addressSetContains(LINK_LOCAL, address);
      this.ignoredMemo.set(address, known);
    }
    return known;
  }
  private readonly ignoredMemo = new Map<string, boolean>();

  /**
   * Brings the book and attribution up to the hub's inventory (stored and policy-declared
   * workloads) and active revision; nothing to do while the hub's generation is unchanged.
   */
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
