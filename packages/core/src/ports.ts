// The `proto/port` notation used everywhere a user writes a service: `tcp/80`, `udp/5000-5100`,
// `icmp`, `icmp/8`, `icmpv6`, `any`, and (for Kubernetes) `tcp/http` for a named port.

import type { ServicePort } from "./model.js";

export type PortParse =
  | { readonly ok: true; readonly port: ServicePort }
  | {
      readonly ok: false;
      readonly reason: "syntax" | "range" | "reversed";
      readonly message: string;
    };

const L4 = new Set(["tcp", "udp", "sctp"]);

export function parseServicePort(text: string): PortParse {
  const [proto = "", rest, extra] = text.trim().toLowerCase().split("/");
  if (extra !== undefined) return syntax(text);
  if (proto === "any" && rest === undefined) return { ok: true, port: { proto: "any" } };
  if (proto === "icmp" || proto === "icmpv6") {
    if (rest === undefined) return { ok: true, port: { proto } };
    const type = toInt(rest);
    if (type === undefined || type > 255) {
      return fail("range", `ICMP type must be a number 0-255, got "${rest}"`);
    }
    return { ok: true, port: { proto, type } };
  }
  if (!L4.has(proto) || rest === undefined || rest === "") return syntax(text);
  const l4 = proto as "tcp" | "udp" | "sctp";
  if (/^[a-z][a-z0-9-]{0,14}$/.test(rest)) return { ok: true, port: { proto: l4, named: rest } };
  const [a = "", b] = rest.split("-");
  const from = toInt(a);
  const to = b === undefined ? from : toInt(b);
  if (from === undefined || to === undefined) return syntax(text);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) {
    return fail("range", `port must be 1-65535, got "${rest}"`);
  }
  if (to < from)
    return fail("reversed", `port range "${rest}" ends before it starts; write ${to}-${from}`);
  return { ok: true, port: { proto: l4, from, to } };
}

export function formatServicePort(p: ServicePort): string {
  switch (p.proto) {
    case "any":
      return "any";
    case "icmp":
    case "icmpv6":
      return p.type === undefined ? p.proto : `${p.proto}/${p.type}`;
    default:
      if ("named" in p) return `${p.proto}/${p.named}`;
      return p.from === p.to ? `${p.proto}/${p.from}` : `${p.proto}/${p.from}-${p.to}`;
  }
}

function toInt(s: string): number | undefined {
  return /^\d{1,6}$/.test(s) ? Number(s) : undefined;
}

function syntax(text: string): PortParse {
  return fail(
    "syntax",
    `"${text}" is not a port; write tcp/80, udp/5000-5100, icmp, icmp/8, or any`,
  );
}

function fail(reason: "syntax" | "range" | "reversed", message: string): PortParse {
  return { ok: false, reason, message };
}
