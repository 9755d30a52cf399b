// The `proto/port` notation used everywhere a user writes a service: `tcp/80`, `udp/5000-5100`,
// `icmp`, `icmp/8`, `icmpv6`, `any`, and (for Kubernetes) `tcp/http` for a named port.
//
// Grammar (one spelling per meaning; anything else is refused, never read as something close):
//   any | icmp | icmpv6 | (icmp|icmpv6)/TYPE | (tcp|udp|sctp)/PORT | (tcp|udp|sctp)/PORT-PORT
//   | (tcp|udp|sctp)/NAME
//   PORT, TYPE: decimal digits without a leading zero (0 alone is a number, and out of range)
//   NAME: a lowercase letter, then up to 14 lowercase letters, digits or `-`
// Lowercase only, no spaces. formatServicePort writes every port back in this grammar.

import type { ServicePort } from "./model.js";

export type PortParse =
  | { readonly ok: true; readonly port: ServicePort }
  | {
      readonly ok: false;
      readonly reason: "syntax" | "range" | "reversed";
      readonly message: string;
    };

const NUMBER = "(0|[1-9][0-9]*)";
const L4_NUMBERED = new RegExp(`^(tcp|udp|sctp)/${NUMBER}(?:-${NUMBER})?$`);
const L4_NAMED = /^(tcp|udp|sctp)\/([a-z][a-z0-9-]{0,14})$/;
const ICMP = new RegExp(`^(icmp|icmpv6)(?:/${NUMBER})?$`);
const FORMS =
  "tcp/80, a range tcp/8000-8080, udp/53, sctp/9, a named port tcp/http, icmp, icmp/8, " +
  "icmpv6, icmpv6/128, or any (lowercase, no spaces, no leading zeros)";

export function parseServicePort(text: string): PortParse {
  return readPort(text) ?? syntax(text);
}

function readPort(text: string): PortParse | undefined {
  if (text === "any") return { ok: true, port: { proto: "any" } };
  const icmp = ICMP.exec(text);
  if (icmp !== null) {
    const proto = icmp[1] as "icmp" | "icmpv6";
    if (icmp[2] === undefined) return { ok: true, port: { proto } };
    const type = Number(icmp[2]);
    if (type > 255) return fail("range", `ICMP type must be a number 0-255, got "${icmp[2]}"`);
    return { ok: true, port: { proto, type } };
  }
  const named = L4_NAMED.exec(text);
  if (named !== null) {
    return { ok: true, port: { proto: named[1] as L4, named: named[2] as string } };
  }
  const numbered = L4_NUMBERED.exec(text);
  if (numbered === null) return undefined;
  const [, proto, a = "", b] = numbered;
  const from = Number(a);
  const to = b === undefined ? from : Number(b);
  const rest = text.slice(text.indexOf("/") + 1);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) {
    return fail("range", `port must be 1-65535, got "${rest}"`);
  }
  if (to < from)
    return fail("reversed", `port range "${rest}" ends before it starts; write ${to}-${from}`);
  return { ok: true, port: { proto: proto as L4, from, to } };
}

type L4 = "tcp" | "udp" | "sctp";

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

/** The message names the accepted forms, and the one spelling when the meaning is plain. */
function syntax(text: string): PortParse {
  const plain = text
    .toLowerCase()
    .replace(/\s+/g, "")
    .replace(/\b0+(?=\d)/g, "");
  const hint =
    plain !== text && readPort(plain)?.ok === true ? ` (did you mean \`${plain}\`?)` : "";
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return fail("syntax", `"${shown}" is not a port${hint}; write ${FORMS}`);
}

function fail(reason: "syntax" | "range" | "reversed", message: string): PortParse {
  return { ok: false, reason, message };
}
