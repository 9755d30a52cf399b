// Services -> security group protocol/port fields. TCP/UDP ports and ranges, ICMP and ICMPv6
// (one type or all) and "all traffic" are exact. A security group rule for any other protocol
// (SCTP is 132) cannot name ports, so an SCTP port (short of 1-65535) is dropped rather than
// widened; named ports are resolved per instance in microseg and have no security group form.

import type { ServicePort } from "@microseg/core";
import type { FidelityLog } from "../fidelity.js";
import { isAllPorts } from "../port-math.js";

export interface SgPort {
  readonly ip_protocol: string;
  readonly from_port?: number;
  readonly to_port?: number;
  /** Only with IPv4 (icmp) or IPv6 (icmpv6) peers. */
  readonly family?: 4 | 6;
}

export function sgPorts(
  services: readonly ServicePort[],
  ruleId: string,
  log: FidelityLog,
): SgPort[] {
  if (isAllPorts(services)) return [{ ip_protocol: "-1" }];
  const out: SgPort[] = [];
  for (const s of services) {
    if (s.proto === "icmp" || s.proto === "icmpv6") {
      out.push({
        ip_protocol: s.proto,
        from_port: s.type ?? -1,
        to_port: -1,
        family: s.proto === "icmp" ? 4 : 6,
      });
    } else if (s.proto === "any") {
    } else if ("named" in s) {
      drop(
        log,
        `${s.proto}/${s.named}`,
        ruleId,
        "a named port is resolved per instance, and security groups take numbers",
      );
    } else if (s.proto === "sctp") {
      if (s.from === 1 && s.to === 65535) out.push({ ip_protocol: "132" });
      else
        drop(
          log,
          `sctp/${s.from}-${s.to}`,
          ruleId,
          "security group rules for SCTP (protocol 132) cannot name ports",
        );
    } else if ("from" in s) out.push({ ip_protocol: s.proto, from_port: s.from, to_port: s.to });
  }
  return out;
}

function drop(log: FidelityLog, port: string, ruleId: string, why: string): void {
  log.add(
    "dropped",
    `${port} of allow ${ruleId}`,
    `${why} (stricter: it stays blocked)`,
    "left out",
    [ruleId],
  );
}
