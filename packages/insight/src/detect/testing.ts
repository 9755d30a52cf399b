// Recorded-like flow sequences for the detector tests and the benchmark.

import type { FlowObservation, FlowVerdict } from "../flow.js";
import { Scanners } from "../scanners.js";
import { Baseline } from "./baseline.js";
import { DecoyList } from "./decoys.js";
import type { DetectionView } from "./types.js";

export function obs(
  from: string,
  to: string,
  port: string,
  at: number,
  verdict: FlowVerdict = "blocked",
  extra: Partial<FlowObservation> = {},
): FlowObservation {
  const addr = (n: string) => /^[0-9.:]+$/.test(n);
  return {
    from: { name: from, kind: addr(from) ? "address" : "workload" },
    to: { name: to, kind: addr(to) ? "address" : "workload" },
    port,
    verdict,
    count: 1,
    packets: 1,
    bytes: 60,
    first: at,
    last: at,
    reporter: to,
    side: "destination",
    ...extra,
  };
}

/** A view over a baseline, a set of policy-allowed edges, a decoy list and declared scanners. */
export function viewOf(
  baseline = new Baseline(),
  allowed: ReadonlySet<string> = new Set(),
  decoys = new DecoyList(),
  scanners = new Scanners(),
): DetectionView {
  return {
    known: (o) => baseline.has(o),
    allows: (o) => allowed.has(Baseline.key(o.from.name, o.to.name, o.port)),
    isDecoy: (to, port) => decoys.matches(to, port),
    isScanner: (from) => scanners.isScanner(from),
  };
}
