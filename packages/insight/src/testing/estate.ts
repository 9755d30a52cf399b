// Small builders for the analyses' tests: workloads, policies from YAML text (through core's
// loader, so a test reads like a policy file), and flow edges between named ends.

import { loadPolicy, type Policy, type Workload } from "@microseg/core";
import type { FlowEdge, FlowVerdict } from "../flow.js";

export function workload(
  name: string,
  labels: Record<string, string>,
  address: string,
  extra: Partial<Workload> = {},
): Workload {
  return { name, labels, addresses: [address], mode: "enforce", managed: true, ...extra };
}

/** A policy from YAML text; throws with the first diagnostic when it does not load. */
export function policyOf(text: string, inventory: readonly Workload[] = []): Policy {
  const loaded = loadPolicy([{ file: "test.yaml", text }], { inventory });
  const first = loaded.diagnostics[0];
  if (first !== undefined) throw new Error(`test policy: ${first.path}: ${first.message}`);
  return loaded.policy;
}

const IP = /^[0-9.]+$|:/;

/** `edge("web-1", "db-1", "tcp/5432")`; an end that looks like an IP is an address end. */
export function edge(
  from: string,
  to: string,
  port: string,
  count = 10,
  verdict: FlowVerdict = "allowed",
  times: { first?: number; last?: number } = {},
): FlowEdge {
  const end = (name: string) => ({ name, kind: IP.test(name) ? "address" : "workload" }) as const;
  return {
    from: end(from),
    to: end(to),
    port,
    verdict,
    count,
    packets: count * 4,
    bytes: count * 400,
    firstSeen: times.first ?? 1_000,
    lastSeen: times.last ?? 2_000,
  };
}
