// A query's `proto/port` text -> the packet explain evaluates.

import { MicrosegError } from "../errors.js";
import type { Workload } from "../model.js";
import { parseServicePort } from "../ports.js";
import type { Packet } from "./evaluate.js";

/** ICMP without a type is asked as an echo request (what "can A ping B" means). */
const ECHO_REQUEST = { icmp: 8, icmpv6: 128 } as const;

export function toPacket(port: string, destination: Workload | undefined): Packet {
  const parsed = parseServicePort(port);
  if (!parsed.ok) throw new MicrosegError("MSEG_POLICY_INVALID_PORT", parsed.message);
  const p = parsed.port;
  switch (p.proto) {
    case "any":
      return { proto: "any" };
    case "icmp":
    case "icmpv6":
      return { proto: p.proto, type: p.type ?? ECHO_REQUEST[p.proto] };
    default: {
      if (!("named" in p)) return { proto: p.proto, port: p.from };
      const resolved = destination?.namedPorts?.[p.named];
      if (resolved === undefined || resolved.proto !== p.proto) {
        throw new MicrosegError(
          "MSEG_POLICY_UNDEFINED_REFERENCE",
          `the destination has no ${p.proto} port named "${p.named}"; use a number or a defined name`,
        );
      }
      return { proto: p.proto, port: resolved.from };
    }
  }
}
