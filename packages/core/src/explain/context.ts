// What explain needs about one policy + inventory, built once and reused across many queries
// (policy tests, flow replays): the resolution, lazily reduced RuleSets, an address index.

import { parseAddress } from "../addr/index.js";
import { getOrInsert } from "../collections.js";
import { Inventory } from "../compile/inventory.js";
import { reduce } from "../compile/reduce.js";
import { type Resolution, resolve } from "../compile/resolve.js";
import type { Endpoint } from "../decision.js";
import { MicrosegError } from "../errors.js";
import type { Policy, Workload } from "../model.js";
import type { RuleSet } from "../ruleset.js";

/** One end of a flow: a workload (managed or not), or a bare address. */
export interface ResolvedEndpoint {
  readonly workload?: Workload;
  readonly address?: string;
}

export class ExplainContext {
  readonly inventory: Inventory;
  readonly res: Resolution;
  private readonly ruleSets = new Map<string, RuleSet>();
  private byAddress: Map<string, Workload> | undefined;

  constructor(
    readonly policy: Policy,
    workloads: readonly Workload[],
  ) {
    this.inventory = new Inventory(workloads);
    this.res = resolve(policy, this.inventory);
  }

  ruleSet(w: Workload): RuleSet {
    return getOrInsert(this.ruleSets, w.name, () => reduce(this.res, w));
  }

  /** A workload by name; an address resolves to the workload that has it, if any. */
  endpoint(e: Endpoint): ResolvedEndpoint {
    if ("workload" in e) {
      const w = this.inventory.get(e.workload);
      if (w === undefined) {
        throw new MicrosegError(
          "MSEG_POLICY_UNDEFINED_REFERENCE",
          `no workload is named "${e.workload}"; name a known workload or give an address`,
        );
      }
      return { workload: w };
    }
    const parsed = parseAddress(e.address);
    if (parsed === undefined) {
      throw new MicrosegError("MSEG_POLICY_INVALID_CIDR", `"${e.address}" is not an IP address`);
    }
    return { workload: this.addressIndex().get(canonical(e.address)), address: e.address };
  }

  /** Endpoint from a test's text: a workload name first, else an address. */
  endpointFromText(text: string): ResolvedEndpoint {
    if (this.inventory.get(text) !== undefined || parseAddress(text) === undefined) {
      return this.endpoint({ workload: text });
    }
    return this.endpoint({ address: text });
  }

  private addressIndex(): Map<string, Workload> {
    if (this.byAddress === undefined) {
      this.byAddress = new Map();
      const names = [...this.inventory.byName.keys()].sort();
      for (const n of names) {
        const w = this.inventory.get(n) as Workload;
        for (const a of w.addresses) {
          if (!this.byAddress.has(canonical(a))) this.byAddress.set(canonical(a), w);
        }
      }
    }
    return this.byAddress;
  }
}

function canonical(address: string): string {
  const p = parseAddress(address);
  return p === undefined ? address : `${p.family}:${p.value}`;
}
