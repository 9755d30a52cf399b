// Authorised scanners: vulnerability scanners an estate runs on purpose. Declared two ways, both
// read from what the controller already holds (no configuration of their own):
//   - a workload labelled `microseg.io/scanner: "true"` (the `microseg.io/` prefix is reserved
//     for labels microseg gives a meaning, so it cannot clash with an estate's own keys);
//   - an IP list named `scanners` in the active policy, for scanners no agent runs on (an
//     appliance, a cloud service): an address inside it, or a workload owning such an address.
// Their contacts raise no scan, spread, lateral-movement or decoy alert (the detectors record an
// `authorised-scan` instead), never enter the detection baseline and are never learned into
// policy: recommendation and discovery leave their edges out.

import {
  type AddrRange,
  EMPTY_RANGES,
  type FamilyRanges,
  ipBlockRanges,
  type Policy,
  parseAddress,
  rangesContain,
  type Workload,
} from "@microseg/core";
import type { FlowEnd } from "./flow.js";

export const SCANNER_LABEL = "microseg.io/scanner";
export const SCANNERS_IP_LIST = "scanners";
/** Addresses whose answer is remembered (cleared when full): the check runs per observation. */
const MEMO = 10_000;

export type ScannerReason = "label" | "ipList";

export class Scanners {
  /** Workloads that are scanners, and why. */
  private readonly names = new Map<string, ScannerReason>();
  private readonly ranges: FamilyRanges;
  private readonly memo = new Map<string, boolean>();

  constructor(workloads: readonly Workload[] = [], policy?: Policy) {
    const list = policy?.ipLists[SCANNERS_IP_LIST];
    this.ranges = list === undefined ? EMPTY_RANGES : ipBlockRanges(list.include, list.except);
    for (const w of workloads) {
      if (w.labels[SCANNER_LABEL] === "true") this.names.set(w.name, "label");
      else if (w.addresses.some((a) => this.listed(a))) this.names.set(w.name, "ipList");
    }
  }

  /** Nothing declared: every check answers false at once. */
  get empty(): boolean {
    return this.names.size === 0 && this.ranges.v4.length === 0 && this.ranges.v6.length === 0;
  }

  /** Why the end is an authorised scanner, or undefined when it is not one. */
  reason(end: FlowEnd): ScannerReason | undefined {
    if (end.kind === "workload") return this.names.get(end.name);
    return this.listed(end.name) ? "ipList" : undefined;
  }

  isScanner(end: FlowEnd): boolean {
    if (end.kind === "workload") return this.names.size > 0 && this.names.has(end.name);
    return this.listed(end.name);
  }

  private listed(address: string): boolean {
    if (this.ranges.v4.length === 0 && this.ranges.v6.length === 0) return false;
    const hit = this.memo.get(address);
    if (hit !== undefined) return hit;
    const a = parseAddress(address);
    const ranges: readonly AddrRange[] = a?.family === 6 ? this.ranges.v6 : this.ranges.v4;
    const inside = a !== undefined && rangesContain(ranges, a.value);
    if (this.memo.size >= MEMO) this.memo.clear();
    this.memo.set(address, inside);
    return inside;
  }
}
