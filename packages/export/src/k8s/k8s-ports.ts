// Services -> NetworkPolicy ports. TCP/UDP/SCTP ports and ranges (port + endPort) and named
// ports (resolved at the destination pod, as microseg resolves them at the provider) are exact.
// NetworkPolicy has no ICMP: an ICMP service is dropped (stricter: ICMP stays blocked).

import type { ServicePort } from "@microseg/core";
import type { FidelityLog } from "../fidelity.js";
import { isAllPorts } from "../port-math.js";
import type { NetworkPolicyPort } from "./k8s-types.js";

const PROTO = { tcp: "TCP", udp: "UDP", sctp: "SCTP" } as const;

/** undefined: every port and protocol; []: nothing expressible is left. */
export function networkPolicyPorts(
  services: readonly ServicePort[],
  ruleId: string,
  log: FidelityLog,
): NetworkPolicyPort[] | undefined {
  if (isAllPorts(services)) return undefined;
  const out: NetworkPolicyPort[] = [];
  for (const s of services) {
    if (s.proto === "any") continue;
    if (s.proto === "icmp" || s.proto === "icmpv6") {
      log.add(
        "dropped",
        `${s.proto} service of allow ${ruleId}`,
        "NetworkPolicy selects only TCP, UDP and SCTP ports (stricter: the ICMP stays blocked where the pod is isolated)",
        "left out",
        [ruleId],
      );
      continue;
    }
    if ("named" in s) out.push({ protocol: PROTO[s.proto], port: s.named });
    else if (!("from" in s)) continue;
    else if (s.from === s.to) out.push({ protocol: PROTO[s.proto], port: s.from });
    else out.push({ protocol: PROTO[s.proto], port: s.from, endPort: s.to });
  }
  return out;
}
